package io.txfs.client;

import java.util.Optional;

/**
 * One changed path of a view's pending delta: relative to the mount's root, with what it was (absent for an
 * added path) and what it is (absent for a deleted one).
 */
public record StatusEntry(String path, ChangeKind kind, Optional<EntryState> before, Optional<EntryState> after) {}
