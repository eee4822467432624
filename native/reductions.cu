// Column and row sums of a row-major rows×cols matrix, float64, deterministic.
//
// A sum runs in chunks: each thread adds one chunk of one column (or row) left to right, starting
// from 0.0, exactly as ReferenceBackend adds a whole column. The backend calls a kernel once when
// the whole column fits one chunk (then the result is bit for bit the reference's), and otherwise
// twice: chunks of about √rows into a partial matrix, then the partials in one chunk. The order of
// additions depends only on the sizes, never on timing, so results repeat exactly.
#include "common.cuh"

extern "C" {

// out[chunk][c] = Σ x[r][c] over the rows r of chunk (chunkRows rows each, the last one shorter):
// out is a ⌈rows/chunkRows⌉×cols matrix.
__global__ void pinn_column_sums(long long rows, long long cols, long long chunkRows, const double *x, double *out) {
    long long chunks = (rows + chunkRows - 1) / chunkRows;
    PINN_FOR_EACH(i, chunks * cols) {
        long long chunk = i / cols, c = i % cols;
        long long begin = chunk * chunkRows;
        long long end = begin + chunkRows < rows ? begin + chunkRows : rows;
        double sum = 0.0;
        for (long long r = begin; r < end; r++) sum += x[r * cols + c];
        out[i] = sum;
    }
}

// out[r][chunk] = Σ x[r][c] over the columns c of chunk (chunkCols columns each, the last one
// shorter): out is a rows×⌈cols/chunkCols⌉ matrix.
__global__ void pinn_row_sums(long long rows, long long cols, long long chunkCols, const double *x, double *out) {
    long long chunks = (cols + chunkCols - 1) / chunkCols;
    PINN_FOR_EACH(i, rows * chunks) {
        long long r = i / chunks, chunk = i % chunks;
        long long begin = chunk * chunkCols;
        long long end = begin + chunkCols < cols ? begin + chunkCols : cols;
        const double *row = x + r * cols;
        double sum = 0.0;
        for (long long c = begin; c < end; c++) sum += row[c];
        out[i] = sum;
    }
}

}  // extern "C"
