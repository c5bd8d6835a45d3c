package io.txfs.client;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One entry of a view's canonical delta ({@code diff format=jsonl}, docs/inspection.md, "JSON lines"): the
 * fields the entry has, the others empty. {@code content} is the git blob id of a file's bytes or a
 * symlink's target. A name that is not UTF-8 (the delta carries it as base64) is decoded with U+FFFD where
 * its bytes are not; {@code txfs diff --format=jsonl} keeps them exactly. Extended attributes are left out.
 */
public record DeltaChange(
        String path,
        ChangeKind change,
        FileType type,
        OptionalInt permissions,
        OptionalLong uid,
        OptionalLong gid,
        OptionalLong size,
        Optional<String> content,
        Optional<String> target,
        Optional<String> link,
        OptionalLong rdev,
        OptionalLong mtimeNanos) {}
