package io.txfs.core.model;

/** How a view sees publishes made after it began (see SPEC "Isolation"). */
public enum Isolation {
    SNAPSHOT,
    READ_COMMITTED
}
