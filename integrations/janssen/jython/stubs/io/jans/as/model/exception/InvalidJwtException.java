package io.jans.as.model.exception;

/** Stand-in for io.jans.as.model.exception.InvalidJwtException (a checked exception). */
public class InvalidJwtException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidJwtException(String message) {
        super(message);
    }
}
