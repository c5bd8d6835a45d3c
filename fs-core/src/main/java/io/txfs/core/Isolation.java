package io.txfs.core;

/** How a view sees publishes made after it began (see SPEC "Isolation"). */
public enum Isolation {
    SNAPSHOT,
    READ_COMMITTED
}
