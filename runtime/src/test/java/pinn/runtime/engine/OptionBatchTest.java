package pinn.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import pinn.runtime.OptionType;

class OptionBatchTest {

    private static OptionBatch.Builder valid() {
        return OptionBatch.builder().spot(100).strike(100).expiry(1).rate(0.05).vol(0.2).type(OptionType.CALL);
    }

    @Test
    void scalarsBroadcastToTheArraysLength() {
        OptionBatch batch = valid().spot(new double[] {90, 100, 110}).type(new OptionType[] {OptionType.CALL, OptionType.PUT, OptionType.CALL}).build();
        assertEquals(3, batch.size());
        assertEquals(110, batch.spot(2));
        assertEquals(100, batch.strike(2));
        assertEquals(OptionType.PUT, batch.type(1));
        assertEquals(1, valid().build().size(), "all scalars make one option");
    }

    @Test
    void arraysAreCopied() {
        double[] spots = {90, 100};
        OptionBatch batch = valid().spot(spots).build();
        spots[0] = -1;
        assertEquals(90, batch.spot(0));
    }

    private static InvalidInputException refused(OptionBatch.Builder builder) {
        return assertThrows(InvalidInputException.class, builder::build);
    }

    @Test
    void unequalArraysAreRefusedNamingBothFields() {
        InvalidInputException e = refused(valid().spot(new double[] {90, 100, 110}).vol(new double[] {0.2, 0.3}));
        assertEquals("vol", e.field());
        assertEquals(-1, e.index());
        assertEquals("vol has 2 values but spot has 3; arrays must have one length (scalars are broadcast)", e.getMessage());
        assertEquals("type", refused(valid().spot(new double[] {1, 2}).type(new OptionType[] {OptionType.CALL})).field());
    }

    @Test
    void badValuesAreRefusedWithFieldIndexAndReason() {
        InvalidInputException e = refused(valid().strike(new double[] {100, Double.NaN, 100}));
        assertEquals("strike", e.field());
        assertEquals(1, e.index());
        assertEquals("strike[1] must be finite and > 0, was NaN", e.getMessage());
        assertEquals("spot must be finite and > 0, was -5.0", refused(valid().spot(-5)).getMessage());
        assertEquals("expiry", refused(valid().expiry(0)).field());
        assertEquals("vol", refused(valid().vol(Double.POSITIVE_INFINITY)).field());
        assertEquals("rate must be finite, was NaN", refused(valid().rate(Double.NaN)).getMessage());
        assertEquals("rate", refused(valid().rate(1000).expiry(2)).field());
        InvalidInputException type = refused(valid().spot(new double[] {1, 2}).type(new OptionType[] {OptionType.CALL, null}));
        assertEquals("type[1] must be call or put, was missing", type.getMessage());
    }

    @Test
    void missingAndEmptyAreRefused() {
        assertEquals("strike is missing", refused(OptionBatch.builder().spot(1).expiry(1).rate(0).vol(0.2).type(OptionType.CALL)).getMessage());
        assertEquals("type is missing", refused(OptionBatch.builder().spot(1).strike(1).expiry(1).rate(0).vol(0.2)).getMessage());
        assertEquals("batch", refused(valid().spot(new double[0])).field());
    }

    @Test
    void aRateMayBeZeroOrNegative() {
        assertEquals(-0.01, valid().rate(-0.01).build().rate(0));
        assertEquals(0, valid().rate(0).build().rate(0));
    }
}
