package pinn.runtime;

import java.util.ArrayList;
import java.util.List;
import pinn.autodiff.Jet;
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;
import pinn.autodiff.Workspace;
import pinn.kernels.Backend;
import pinn.runtime.model.Architecture;
import pinn.runtime.model.Domain;
import pinn.runtime.model.LayerWeights;
import pinn.runtime.model.ModelFile;
import pinn.runtime.model.TrainingMetadata;

/**
 * The parametric call-price network: an {@link Mlp} behind the {@link SimilarityTransform}, giving
 * the call price per unit strike v(m, τ, σ, r) = V/K over a {@link Domain}, with its derivatives
 * by forward-mode jets. Puts follow from put-call parity, which is exact.
 *
 * <p>Owns the MLP's parameters; {@link #close()} frees them.
 */
public final class PricingNetwork implements CallPricer, AutoCloseable {

    /** Every direction, for the five Greeks: delta and gamma along m, theta, vega and rho. */
    public static final List<Direction> ALL_DIRECTIONS = List.of(Direction.MONEYNESS, Direction.EXPIRY, Direction.VOL, Direction.RATE);

    private final Mlp mlp;
    private final FeatureScaling scaling;
    private final Domain domain;

    public PricingNetwork(Mlp mlp, FeatureScaling scaling, Domain domain) {
        if (mlp.inputSize() != SimilarityTransform.FEATURES || mlp.outputSize() != 1) {
            throw new IllegalArgumentException("a pricing network maps " + SimilarityTransform.FEATURES + " features to 1 output, this MLP is "
                    + java.util.Arrays.toString(mlp.sizes()));
        }
        this.mlp = mlp;
        this.scaling = scaling;
        this.domain = domain;
    }

    /** A freshly initialised network for {@code domain} with the given hidden layers, e.g. {64, 64, 64, 64}. */
    public static PricingNetwork initialise(Backend backend, Domain domain, int[] hidden, long seed) {
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = SimilarityTransform.FEATURES;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = 1;
        return new PricingNetwork(new Mlp(backend, sizes, seed), FeatureScaling.forDomain(domain), domain);
    }

    public Mlp mlp() {
        return mlp;
    }

    public Domain domain() {
        return domain;
    }

    public FeatureScaling scaling() {
        return scaling;
    }

    /**
     * The jet of v = V/K at {@code points} (n×1 tensors) along {@code directions} (MONEYNESS
     * first, which is also the direction of the second derivative), recorded on {@code tape}.
     */
    public Jet priceJet(Tape tape, OptionPoints points, List<Direction> directions) {
        SimilarityTransform.Inputs inputs = SimilarityTransform.compute(points, directions, scaling);
        Jet network = mlp.forwardJet(tape, inputs.features().toJet(tape));
        return inputs.base().toJet(tape).add(tape, inputs.coefficient().toJet(tape).mul(tape, network));
    }

    /** The raw network output H at {@code points} (n×1): the part of the price the network learns. */
    public Tensor networkOutput(Tape tape, OptionPoints points) {
        SimilarityTransform.Inputs inputs = SimilarityTransform.compute(points, List.of(Direction.MONEYNESS), scaling);
        HostJet features = inputs.features();
        return mlp.forward(tape, tape.tensor(features.rows(), features.cols(), features.value()));
    }

    /**
     * Calls per unit strike with the five Greeks, in strike units (price/K, delta, gamma·K,
     * theta/K, vega/K, rho/K), on a tape with memory of its own: right for one call or a few
     * points; many large batches in a row should pass a {@link Workspace}.
     */
    @Override
    public Valuation[] priceCalls(OptionPoints points) {
        try (Tape tape = new Tape(mlp.backend())) {
            return valuations(tape, points);
        }
    }

    /**
     * As {@link #priceCalls(OptionPoints)}, with the tape's memory from {@code workspace}: for
     * many batches in a row on one thread (a workspace belongs to the thread that opened it).
     */
    public Valuation[] priceCalls(OptionPoints points, Workspace workspace) {
        try (Tape tape = new Tape(mlp.backend(), workspace)) {
            return valuations(tape, points);
        }
    }

    private Valuation[] valuations(Tape tape, OptionPoints points) {
        Jet v = priceJet(tape, points, ALL_DIRECTIONS);
        double[] price = v.value().toArray(), second = v.second().toArray();
        double[] dm = v.tangent(0).toArray(), dTau = v.tangent(1).toArray(), dVol = v.tangent(2).toArray(), dRate = v.tangent(3).toArray();
        Valuation[] valuations = new Valuation[points.size()];
        for (int i = 0; i < valuations.length; i++) {
            valuations[i] = new Valuation(price[i], dm[i], second[i], -dTau[i], dVol[i], dRate[i]);
        }
        return valuations;
    }

    /**
     * The price and Greeks of one European option in currency units (see {@link Valuation}): the
     * call from the network by homogeneity V = K·v(S/K, τ, σ, r), a put by {@link PutCallParity}.
     * The point should lie in {@link #domain()}; outside it the network extrapolates.
     */
    public Valuation value(OptionType type, double spot, double strike, double expiry, double rate, double vol) {
        OptionPoints point = new OptionPoints(new double[] {spot / strike}, new double[] {expiry}, new double[] {vol}, new double[] {rate});
        Valuation perUnitStrike = priceCalls(point)[0];
        Valuation call = new Valuation(strike * perUnitStrike.price(), perUnitStrike.delta(), perUnitStrike.gamma() / strike,
                strike * perUnitStrike.theta(), strike * perUnitStrike.vega(), strike * perUnitStrike.rho());
        return type == OptionType.CALL ? call : PutCallParity.put(call, spot, strike, expiry, rate);
    }

    /** The model file for this network, with the given training record. */
    public ModelFile toModelFile(TrainingMetadata metadata) {
        int[] sizes = mlp.sizes();
        List<Integer> sizeList = new ArrayList<>();
        for (int s : sizes) sizeList.add(s);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < mlp.layers(); l++) {
            Tensor w = mlp.weights().get(l), b = mlp.biases().get(l);
            layers.add(new LayerWeights(w.rows(), w.cols(), w.toArray(), b.toArray()));
        }
        return new ModelFile(new Architecture(sizeList, "tanh"), scaling.toInputFeatures(), domain, metadata, layers);
    }

    /** A network with the weights, features and domain of {@code file}, its parameters in a new arena. */
    public static PricingNetwork fromModelFile(Backend backend, ModelFile file) {
        if (!file.architecture().activation().equals("tanh")) {
            throw new IllegalArgumentException("unsupported activation '" + file.architecture().activation() + "', this runtime knows tanh");
        }
        int[] sizes = file.architecture().layerSizes().stream().mapToInt(Integer::intValue).toArray();
        FeatureScaling scaling = FeatureScaling.fromInputFeatures(file.inputFeatures());
        Mlp mlp = new Mlp(backend, sizes, 0);
        try {
            for (int l = 0; l < mlp.layers(); l++) {
                mlp.weights().get(l).copyFrom(file.layerWeights().get(l).weights());
                mlp.biases().get(l).copyFrom(file.layerWeights().get(l).bias());
            }
            return new PricingNetwork(mlp, scaling, file.domain());
        } catch (RuntimeException e) {
            mlp.close();
            throw e;
        }
    }

    @Override
    public void close() {
        mlp.close();
    }
}
