package io.txfs.fuse.view;

import java.util.Set;

/**
 * Whether a view has a live process, taken at one moment. A view is live when the daemon would route
 * some running process to it: a registered process (one that ran {@code begin}, e.g. {@code txfs run})
 * that has entered it, any process of the session a {@code session-SID} view belongs to, or anyone for
 * the mount's shared default view. A descendant of a registered process that has exited is routed by
 * nobody (the resolver no longer finds the ancestor), so it does not keep the view live either.
 */
public final class ViewLiveness {
    private final Set<String> registered;
    private final Set<Integer> sessions;
    private final boolean sharedDefault;

    ViewLiveness(Set<String> registered, Set<Integer> sessions, boolean sharedDefault) {
        this.registered = Set.copyOf(registered);
        this.sessions = Set.copyOf(sessions);
        this.sharedDefault = sharedDefault;
    }

    public boolean live(String view) {
        if (registered.contains(view)) {
            return true;
        }
        if (sharedDefault && view.equals(Views.SHARED_VIEW)) {
            return true; // every unregistered process of the mount writes there
        }
        if (view.startsWith(Views.SESSION_PREFIX)) {
            try {
                return sessions.contains(Integer.parseInt(view.substring(Views.SESSION_PREFIX.length())));
            } catch (NumberFormatException notASession) {
                return false;
            }
        }
        return false;
    }
}
