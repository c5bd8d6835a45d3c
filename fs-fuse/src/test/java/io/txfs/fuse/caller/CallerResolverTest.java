package io.txfs.fuse.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The resolution rules on a fake process tree, where start times and the clock are chosen. */
class CallerResolverTest {
    private static final class FakeTable implements ProcessTable {
        final Map<Integer, ProcStat> procs = new HashMap<>();
        final Map<Integer, Integer> threads = new HashMap<>();
        long now;

        void proc(int pid, int ppid, int sid, long start) {
            procs.put(pid, new ProcStat(pid, ppid, sid, start));
        }

        @Override
        public ProcStat stat(int pid) throws NoSuchProcessException {
            ProcStat s = procs.get(pid);
            if (s == null) {
                throw new NoSuchProcessException(pid);
            }
            return s;
        }

        @Override
        public int threadGroupOf(int tid) throws NoSuchProcessException {
            if (threads.containsKey(tid)) {
                return threads.get(tid);
            }
            stat(tid);
            return tid;
        }

        @Override
        public long nowTicks() {
            return now;
        }
    }

    private final FakeTable t = new FakeTable();
    private final ViewRegistry reg = new ViewRegistry();
    private final CallerResolver r = new CallerResolver(reg, t);

    {
        t.proc(1, 0, 1, 0);
        t.proc(100, 1, 100, 10); // a shell, session 100
    }

    @Test
    void unregisteredCallerGetsItsSession() throws Exception {
        assertEquals(new CallerView.Unregistered(100, 100, 1), r.resolve(100));
    }

    @Test
    void pidZeroIsRefused() {
        assertThrows(UnknownCallerException.class, () -> r.resolve(0));
    }

    @Test
    void vanishedCallerIsRefused() {
        assertThrows(UnknownCallerException.class, () -> r.resolve(4242));
    }

    @Test
    void descendantsForkedAfterEnteringShareTheView() throws Exception {
        t.now = 20;
        r.enter(100, "a");
        t.proc(101, 100, 100, 21);
        t.proc(102, 101, 100, 22);
        assertEquals(new CallerView.Named("a"), r.resolve(100));
        assertEquals(new CallerView.Named("a"), r.resolve(102));
    }

    @Test
    void aThreadResolvesThroughItsThreadGroup() throws Exception {
        t.now = 20;
        t.proc(101, 100, 100, 21);
        t.threads.put(5000, 101);
        r.enter(101, "a");
        assertEquals(new CallerView.Named("a"), r.resolve(5000));
    }

    @Test
    void childrenForkedBeforeBeginStayInTheOldView() throws Exception {
        t.now = 20;
        r.enter(100, "old");
        t.proc(101, 100, 100, 25); // forked while the shell was in "old"
        t.now = 30;
        r.enter(100, "new");
        t.proc(102, 100, 100, 31); // forked after begin
        assertEquals(new CallerView.Named("old"), r.resolve(101));
        assertEquals(new CallerView.Named("new"), r.resolve(102));
        assertEquals(new CallerView.Named("new"), r.resolve(100));
    }

    @Test
    void aChildForkedBeforeItsParentEnteredStaysOutside() throws Exception {
        t.proc(101, 100, 100, 15);
        t.now = 20;
        r.enter(100, "a");
        assertEquals(new CallerView.Unregistered(100, 101, 100), r.resolve(101));
    }

    @Test
    void anOrphanKeepsTheViewItWasSeenIn() throws Exception {
        t.now = 20;
        r.enter(100, "a");
        t.proc(101, 100, 100, 21);
        t.proc(102, 101, 100, 22);
        assertEquals(new CallerView.Named("a"), r.resolve(102));
        t.procs.remove(101);
        t.proc(102, 1, 100, 22); // re-parented to init
        reg.enter(new ProcessKey(999, 1), "unrelated", 23); // any registry change re-derives answers
        assertEquals(new CallerView.Named("a"), r.resolve(102));
    }

    @Test
    void aReusedParentIdDoesNotLendItsView() throws Exception {
        t.proc(101, 100, 100, 21);
        t.proc(102, 101, 100, 22);
        t.procs.remove(101);
        t.proc(101, 100, 100, 50); // a later process took the id 101
        t.now = 50;
        r.enter(101, "intruder");
        assertEquals(new CallerView.Unregistered(100, 102, 101), r.resolve(102));
    }

    @Test
    void forgettingAViewReturnsItsProcessesToTheDefault() throws Exception {
        t.now = 20;
        r.enter(100, "a");
        assertEquals(new CallerView.Named("a"), r.resolve(100));
        reg.forgetView("a");
        assertEquals(new CallerView.Unregistered(100, 100, 1), r.resolve(100));
    }

    @Test
    void procStatParsesACommandNameWithSpacesAndParentheses() {
        String line = "4242 (a b) (c)) S 7 4242 99 0 -1 4194304 1 0 0 0 0 0 0 0 20 0 1 0 123456 0 0";
        ProcStat s = ProcStat.parse(4242, line);
        assertEquals(7, s.ppid());
        assertEquals(99, s.session());
        assertEquals(123456, s.startTime());
    }
}
