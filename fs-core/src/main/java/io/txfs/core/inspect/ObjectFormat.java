package io.txfs.core.inspect;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Git's object formats: the hash function behind every id. */
public enum ObjectFormat {
    SHA1("SHA-1", "sha1"),
    SHA256("SHA-256", "sha256");

    private final String algorithm;
    private final String gitName;

    ObjectFormat(String algorithm, String gitName) {
        this.algorithm = algorithm;
        this.gitName = gitName;
    }

    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without " + algorithm, e);
        }
    }

    /** The name git uses for it: {@code git init --object-format=NAME}. */
    public String gitName() {
        return gitName;
    }

    /** The id of git's empty tree in this format (what an empty directory hashes to). */
    public ObjectId emptyTreeId() {
        MessageDigest md = newDigest();
        md.update("tree 0\0".getBytes(StandardCharsets.US_ASCII));
        return new ObjectId(md.digest());
    }
}
