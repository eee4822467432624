package pinn.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.SourceDSL;
import pinn.kernels.Backend;
import pinn.kernels.NativeMemory;
import pinn.kernels.ReferenceBackend;

/** Tapes that borrow memory from a workspace: same results, same safety, no fresh memory per tape. */
class WorkspaceTest {

    private static final Backend BACKEND = new ReferenceBackend();

    @Test
    void reusedMemoryGivesExactlyTheResultsOfFreshMemory() {
        try (Workspace workspace = new Workspace(BACKEND)) {
            qt().withFixedSeed(5).withExamples(100)
                    .forAll(SourceDSL.longs().all().zip(SourceDSL.integers().between(1, 8), RandomExpression::new))
                    .checkAssert(expression -> {
                        double[][] x = expression.leafValues();
                        dirty(workspace);
                        assertArrayEquals(secondOrder(expression, x, null), secondOrder(expression, x, workspace));
                    });
        }
    }

    @Test
    void tenThousandTapesOnAWorkspaceAllocateOnceAndCloseBackToZero() {
        long before = NativeMemory.bytesHeld();
        try (Workspace workspace = new Workspace(BACKEND)) {
            long afterFirst = 0;
            for (int i = 0; i < 10_000; i++) {
                try (Tape tape = new Tape(BACKEND, workspace)) {
                    Tensor w = tape.full(16, 16, 0.01 * (i % 5));
                    Tensor loss = tape.mean(tape.square(tape.tanh(tape.matmul(w, w))));
                    tape.grad(loss, List.of(w));
                }
                if (i == 1) afterFirst = NativeMemory.bytesHeld();
            }
            assertEquals(afterFirst, NativeMemory.bytesHeld(), "no growth after the first tapes");
            assertEquals(1 << 20, workspace.bytesReserved());
        }
        assertEquals(before, NativeMemory.bytesHeld());
    }

    @Test
    void aTapeThatOutgrewTheSlabIsServedByOneSlabNextTime() {
        try (Workspace workspace = new Workspace(BACKEND)) {
            for (int i = 0; i < 3; i++) {
                try (Tape tape = new Tape(BACKEND, workspace)) {
                    for (int k = 0; k < 20; k++) tape.zeros(256, 256); // 20 × 512 KiB
                }
            }
            long reserved = workspace.bytesReserved();
            assertTrue(reserved >= 20 * 512 * 1024 && reserved < 40 * 512 * 1024, "reserved " + reserved);
        }
    }

    @Test
    void tensorsDieWithTheirTapeEvenThoughTheMemoryLivesOn() {
        try (Workspace workspace = new Workspace(BACKEND)) {
            Tensor escaped;
            try (Tape tape = new Tape(BACKEND, workspace)) {
                escaped = tape.full(2, 7, 3);
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, escaped::toArray);
            assertTrue(e.getMessage().contains("2×7") && e.getMessage().contains("scope is closed"), e.getMessage());
            try (Tape next = new Tape(BACKEND, workspace)) {
                assertThrows(IllegalStateException.class, () -> next.tanh(escaped));
                assertThrows(IllegalStateException.class, escaped::segment);
            }
        }
    }

    @Test
    void oneTapeAtATimeAndOneThread() {
        Workspace workspace = new Workspace(BACKEND);
        try (Tape tape = new Tape(BACKEND, workspace)) {
            assertThrows(IllegalStateException.class, () -> new Tape(BACKEND, workspace));
            assertThrows(IllegalStateException.class, workspace::close);
            tape.full(1, 1, 1);
        }
        assertThrows(WrongThreadException.class, () -> onAnotherThread(() -> new Tape(BACKEND, workspace)));
        workspace.close();
        workspace.close();
        assertThrows(IllegalStateException.class, () -> new Tape(BACKEND, workspace));
    }

    /** Fills the workspace's memory with NaN, so a primitive that relied on zeroed output would show. */
    private static void dirty(Workspace workspace) {
        try (Tape tape = new Tape(BACKEND, workspace)) {
            for (int i = 0; i < 64; i++) tape.full(64, 64, Double.NaN);
        }
    }

    /** The gradient and a Hessian-vector product of the expression, flattened. */
    private static double[] secondOrder(RandomExpression expression, double[][] x, Workspace workspace) {
        try (Tape tape = new Tape(BACKEND, workspace)) {
            List<Tensor> leaves = new java.util.ArrayList<>();
            for (double[] values : x) leaves.add(tape.tensor(RandomExpression.N, RandomExpression.N, values));
            List<Tensor> g = tape.grad(expression.evaluate(tape, leaves), leaves, true);
            Tensor gg = tape.sum(tape.mul(g.get(0), g.get(1)));
            List<Tensor> h = tape.grad(gg, leaves);
            List<Tensor> all = new java.util.ArrayList<>(g);
            all.addAll(h);
            return HigherOrderTest.flatten(all);
        }
    }

    private static <T> T onAnotherThread(java.util.function.Supplier<T> action) {
        try {
            return CompletableFuture.supplyAsync(action, Thread::startVirtualThread).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }
}
