package io.txfs.sys;

/** The user's directories as the XDG base directory spec finds them. */
public final class UserDirs {
    private UserDirs() {}

    /** $HOME; the password file's entry only without one (setpriv and sudo keep the caller's $HOME). */
    public static String home() {
        String h = System.getenv("HOME");
        return h != null && h.startsWith("/") ? h : System.getProperty("user.home");
    }
}
