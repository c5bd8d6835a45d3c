package io.txfs.core.model;

/**
 * Called at named points in publish and flush (see {@link FaultPoint}); tests stop or kill the engine
 * there. The production injector does nothing.
 */
public interface FaultInjector {
    void reached(String point);

    FaultInjector NONE = point -> {};
}
