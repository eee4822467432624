package pinn.autodiff;

/**
 * The shape of a {@link Tensor}: every tensor is a matrix of {@code rows × cols} float64 values.
 * A column vector is n×1, a row vector 1×n, a scalar 1×1.
 *
 * @param rows number of rows, at least 1
 * @param cols number of columns, at least 1
 */
public record Shape(int rows, int cols) {

    public Shape {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("a shape needs rows, cols >= 1, was " + rows + "×" + cols);
        if ((long) rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a tensor holds at most 2^31 - 1 values, was " + rows + "×" + cols);
        }
    }

    /** The number of values, rows · cols. */
    public int size() {
        return rows * cols;
    }

    /** Whether this is the 1×1 shape of a scalar. */
    public boolean isScalar() {
        return rows == 1 && cols == 1;
    }

    @Override
    public String toString() {
        return rows + "×" + cols;
    }
}
