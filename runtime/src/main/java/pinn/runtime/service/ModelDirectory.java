package pinn.runtime.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import pinn.runtime.model.ModelFile;
import pinn.runtime.model.ModelFileException;

/**
 * The directory the admin endpoint loads models from ({@code ./pinn serve --models DIR}). A client
 * names a file, never a path: names with a path separator, "..", a leading dot-dot, control
 * characters or an absolute form are refused, and a name that resolves outside the directory (a
 * symbolic link) is refused too, so no request can read a file elsewhere on the server.
 */
final class ModelDirectory {

    private static final int MAX_NAME_LENGTH = 255;

    private final Path directory;

    /** @param directory the models directory, or null when the server has none */
    ModelDirectory(Path directory) {
        this.directory = directory == null ? null : directory.toAbsolutePath().normalize();
    }

    /**
     * Reads the model file called {@code name} from the directory.
     *
     * @throws ApiException 400 for a name that is not a plain file name, 404 when there is no such
     *     file, 409 when the server has no models directory, 422 when the file is not a valid model
     */
    ModelFile read(String name) {
        Path file = resolve(name);
        try {
            return ModelFile.read(file);
        } catch (ModelFileException e) {
            // The message starts with the path as given; the client sees only the name it sent.
            String message = e.getMessage() == null ? "is not a valid model file" : e.getMessage().replace(file.toString(), name);
            throw new ApiException(422, "name", "does not hold a valid model: " + message);
        }
    }

    Path resolve(String name) {
        if (directory == null) {
            throw new ApiException(409, "name", "cannot be loaded: the server was started without a models directory (--models DIR)");
        }
        if (name.isEmpty()) throw ApiException.badRequest("name", "must not be empty");
        if (name.length() > MAX_NAME_LENGTH) throw ApiException.badRequest("name", "must be at most " + MAX_NAME_LENGTH + " characters");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                throw ApiException.badRequest("name", "must be a file name in the models directory, without path separators, was \""
                        + Json.shown(name) + "\"");
            }
            if (Character.isISOControl(c)) throw ApiException.badRequest("name", "must not contain control characters");
        }
        if (name.contains("..")) throw ApiException.badRequest("name", "must not contain \"..\", was \"" + Json.shown(name) + "\"");
        if (name.equals(".")) throw ApiException.badRequest("name", "must name a file, was \".\"");
        Path file;
        try {
            file = directory.resolve(name).normalize();
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("name", "is not a valid file name");
        }
        if (!directory.equals(file.getParent())) {
            throw ApiException.badRequest("name", "must be a file name in the models directory, was \"" + Json.shown(name) + "\"");
        }
        if (!Files.isRegularFile(file)) {
            throw new ApiException(404, "name", "names no model file in the models directory: \"" + Json.shown(name) + "\"");
        }
        try {
            if (!file.toRealPath().startsWith(directory.toRealPath())) {
                throw ApiException.badRequest("name", "resolves outside the models directory (a symbolic link)");
            }
        } catch (IOException e) {
            throw new ApiException(404, "name", "names no readable model file in the models directory: \"" + Json.shown(name) + "\"");
        }
        return file;
    }
}
