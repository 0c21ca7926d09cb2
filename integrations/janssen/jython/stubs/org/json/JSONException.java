package org.json;

/** Stand-in for org.json.JSONException. */
public class JSONException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JSONException(String message) {
        super(message);
    }
}
