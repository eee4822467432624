/**
 * The model file: how a trained PINN is saved and loaded ({@link pinn.runtime.model.ModelFile}).
 *
 * <p>A model file is one self-describing, versioned binary blob: everything needed to rebuild the
 * network and to know where its prices can be trusted, followed by a checksum. The writer and
 * reader live here; the network itself ({@code pinn.runtime.Mlp}) is built from a
 * {@code ModelFile} elsewhere, so this package depends on nothing but the JDK.
 *
 * <h2>Byte layout, format version 1</h2>
 *
 * <p>All numbers are little-endian. {@code i32} and {@code i64} are two's-complement integers,
 * {@code f64} an IEEE 754 binary64 value (its bits stored as they are, so values round-trip bit for
 * bit). A {@code str} is an {@code i32} byte length followed by that many bytes of UTF-8 (no
 * terminator; malformed UTF-8 is refused). Fields follow each other with no padding. "Limit"
 * names a constant of {@link pinn.runtime.model.ModelFileFormat}.
 *
 * <table class="striped">
 * <caption>Fields of a model file, in order</caption>
 * <thead>
 * <tr><th>Section</th><th>Field</th><th>Type</th><th>Meaning and constraints</th></tr>
 * </thead>
 * <tbody>
 * <tr><td rowspan="2">header</td><td>magic</td><td>8 bytes</td>
 *     <td>ASCII {@code PINNMODL} ({@code 50 49 4e 4e 4d 4f 44 4c})</td></tr>
 * <tr><td>version</td><td>i32</td>
 *     <td>format version, 1; a reader refuses newer versions, naming both</td></tr>
 *
 * <tr><td rowspan="3">architecture</td><td>n</td><td>i32</td>
 *     <td>number of layer sizes, 2 to {@code MAX_LAYER_SIZES}</td></tr>
 * <tr><td>layer sizes</td><td>n × i32</td>
 *     <td>widths from inputs to outputs, e.g. 4, 64, 64, 64, 64, 1; each 1 to {@code MAX_LAYER_WIDTH}</td></tr>
 * <tr><td>activation</td><td>str</td>
 *     <td>hidden-layer activation name, e.g. {@code tanh}; 1 to {@code MAX_NAME_BYTES} bytes</td></tr>
 *
 * <tr><td rowspan="4">input normalisation</td><td>f</td><td>i32</td>
 *     <td>number of input features; must equal the first layer size</td></tr>
 * <tr><td colspan="3">then, f times, one {@link pinn.runtime.model.InputFeature}:</td></tr>
 * <tr><td>name</td><td>str</td><td>feature name, e.g. {@code log-moneyness}; 1 to {@code MAX_NAME_BYTES} bytes</td></tr>
 * <tr><td>shift, scale</td><td>2 × f64</td>
 *     <td>normalised = (raw − shift) / scale; both finite, scale ≠ 0; in the raw feature's unit</td></tr>
 *
 * <tr><td>domain</td><td>bounds</td><td>8 × f64</td>
 *     <td>{@link pinn.runtime.model.Domain}: min and max moneyness S/K (&gt; 0), expiry τ in
 *     years (&ge; 0), volatility σ as a decimal (&ge; 0), rate r as a decimal; in that order,
 *     finite, min &le; max</td></tr>
 *
 * <tr><td rowspan="9">training metadata</td><td>command line</td><td>str</td>
 *     <td>the training command; 0 to {@code MAX_TEXT_BYTES} bytes</td></tr>
 * <tr><td>seed</td><td>i64</td><td>random seed of the run</td></tr>
 * <tr><td>steps</td><td>i64</td><td>optimiser steps taken, &ge; 0</td></tr>
 * <tr><td>m</td><td>i32</td><td>number of final losses, 0 to {@code MAX_LOSS_TERMS}</td></tr>
 * <tr><td colspan="3">then, m times, in the training's order (names distinct):</td></tr>
 * <tr><td>loss name, value</td><td>str, f64</td>
 *     <td>e.g. {@code pde-residual}; the value as recorded, NaN and infinities allowed</td></tr>
 * <tr><td>trained at</td><td>i64</td><td>seconds since 1970-01-01T00:00:00Z</td></tr>
 * <tr><td>trained at</td><td>i32</td><td>nanoseconds within that second, 0 to 999 999 999</td></tr>
 * <tr><td>notes</td><td>str</td><td>free text, empty when none; 0 to {@code MAX_TEXT_BYTES} bytes</td></tr>
 *
 * <tr><td rowspan="6">weights</td><td>L</td><td>i32</td>
 *     <td>number of weight layers; must equal n − 1</td></tr>
 * <tr><td colspan="3">then, for each layer k = 1..L, one {@link pinn.runtime.model.LayerWeights}:</td></tr>
 * <tr><td>inputs</td><td>i32</td><td>must equal layer size k − 1</td></tr>
 * <tr><td>outputs</td><td>i32</td><td>must equal layer size k</td></tr>
 * <tr><td>weights</td><td>inputs × outputs × f64</td>
 *     <td>row-major, rows = inputs: weight (i, j) from input i to output j at index
 *     i · outputs + j; all finite</td></tr>
 * <tr><td>bias</td><td>outputs × f64</td><td>one per output; all finite</td></tr>
 *
 * <tr><td>checksum</td><td>CRC32C</td><td>u32</td>
 *     <td>CRC-32C (Castagnoli, {@link java.util.zip.CRC32C}) of every byte before it; the last
 *     4 bytes of the file</td></tr>
 * </tbody>
 * </table>
 *
 * <p>A 4→64→64→64→64→1 tanh network (12 865 parameters) takes about 103 KB, nearly all of it
 * weights. The whole file is limited to {@code MAX_FILE_BYTES}.
 *
 * <h2>Versioning</h2>
 *
 * <p>Every version, present and future, starts with the magic and the version field and ends with
 * the CRC32C of everything before it; only what lies between may change. A reader therefore tells
 * a newer file (checksum intact: "the file has format version 2, but this reader supports version
 * 1 only") from a damaged one. Any change to the layout increments the version; there are no
 * optional or skippable sections.
 *
 * <h2>Why CRC32C and not SHA-256</h2>
 *
 * <p>The checksum guards against accidents: truncated copies, disk and network bit rot. CRC32C
 * detects every single-bit error and every burst of up to 32 bits, and the JDK computes it with the
 * CPU's CRC32 instructions. It is not a signature: anyone can write a file with a valid checksum,
 * so the reader never trusts a field because the checksum matched. Every count and length is
 * checked against its limit and against the bytes that remain before anything is allocated for
 * it, so a hostile file cannot make the reader allocate more than a small multiple of the file's own
 * size (which is itself limited to {@code MAX_FILE_BYTES}).
 *
 * <h2>Errors</h2>
 *
 * <p>{@link pinn.runtime.model.ModelFileException} (a checked {@link java.io.IOException}) names the
 * file and the problem and carries a {@link pinn.runtime.model.ModelFileException.Reason}:
 * unreadable, too large, not a model file (bad magic, empty), unsupported (newer) version,
 * truncated (ran out of bytes, checksum does not match), corrupted (checksum mismatch), or
 * invalid (checksum matches but a field breaks the rules above: the writer was wrong).
 */
package pinn.runtime.model;
