package io.jans.as.server.model.authorize;

import org.json.JSONObject;

/**
 * Stand-in for io.jans.as.server.model.authorize.JwtAuthorizationRequest: the verified request
 * object's payload (getJsonPayload, which carries the claims parameter) and its compact form.
 */
public class JwtAuthorizationRequest {
    private final String encodedJwt;
    private final JSONObject jsonPayload;

    /** test only: Janssen's constructor decrypts and verifies the request object. */
    public JwtAuthorizationRequest(String encodedJwt, JSONObject jsonPayload) {
        this.encodedJwt = encodedJwt;
        this.jsonPayload = jsonPayload;
    }

    public String getEncodedJwt() { return encodedJwt; }
    public JSONObject getJsonPayload() { return jsonPayload; }
}
