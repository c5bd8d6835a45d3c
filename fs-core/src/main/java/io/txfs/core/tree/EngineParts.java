package io.txfs.core.tree;

/**
 * The state and the readers of an engine, without its operations: what the engine hands its parts
 * (Publisher, Flusher, OutsideChanges, …) so that none of them reaches into the engine itself. Each part
 * keeps only the ones it uses.
 */
public record EngineParts(EngineState state, PublishedVersions versions, LayeredTree tree, BackingImport imports) {}
