package io.txfs.core.inspect.normalize;

import java.io.IOException;

/** Turns a file's bytes into the form that is hashed, so that differences that do not matter vanish. */
public interface Normalizer {
    /** The rule's words after the glob, as they are written in a rules file: name and arguments. */
    String spelling();

    /**
     * The normalized bytes; {@code in} itself when there is nothing to change.
     *
     * @throws NotNormalizableException when the file is not what the normalizer reads (a "zip" that is
     *     not one): the file is then hashed as it is, and the id's reply lists it
     */
    Blob apply(Blob in) throws IOException;
}
