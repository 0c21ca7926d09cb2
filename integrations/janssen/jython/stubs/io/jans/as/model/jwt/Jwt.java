package io.jans.as.model.jwt;

import io.jans.as.model.exception.InvalidJwtException;
import io.jans.as.model.token.JsonWebResponse;

/**
 * Stand-in for io.jans.as.model.jwt.Jwt (a JsonWebResponse, as Janssen's): parse/parseSilently
 * split the compact form the way Janssen's does; getSigningInput (header.claims) and
 * getEncodedSignature give the parts back. A parsed JWT's header and claims are not decoded here
 * (the registration script does not ask for them); a JWT built by JwtSigner has them.
 */
public class Jwt extends JsonWebResponse {
    private String encodedHeader;
    private String encodedClaims;
    private String encodedSignature;

    public String getEncodedSignature() { return encodedSignature; }
    public void setEncodedSignature(String encodedSignature) { this.encodedSignature = encodedSignature; }

    /** test only: the encoded parts, set by JwtSigner.sign. */
    public void setEncoded(String encodedHeader, String encodedClaims) {
        this.encodedHeader = encodedHeader;
        this.encodedClaims = encodedClaims;
    }

    public String getSigningInput() throws InvalidJwtException {
        if (encodedHeader == null || encodedClaims == null) {
            throw new InvalidJwtException("Jwt is not loaded.");
        }
        return encodedHeader + "." + encodedClaims;
    }

    public static Jwt parseSilently(String encodedJwt) {
        if (encodedJwt == null || encodedJwt.trim().isEmpty()) {
            return null;
        }
        try {
            return parse(encodedJwt);
        } catch (Exception e) {
            return null;
        }
    }

    public static Jwt parse(String encodedJwt) throws InvalidJwtException {
        if (encodedJwt == null || encodedJwt.trim().isEmpty()) {
            throw new InvalidJwtException("Jwt is blank.");
        }
        String[] parts = encodedJwt.split("\\.");
        Jwt jwt = new Jwt();
        if (parts.length == 2) {
            jwt.encodedSignature = "";
        } else if (parts.length == 3) {
            jwt.encodedSignature = parts[2];
        } else {
            throw new InvalidJwtException("Invalid JWT format.");
        }
        jwt.encodedHeader = parts[0];
        jwt.encodedClaims = parts[1];
        return jwt;
    }

    @Override
    public String toString() {
        return encodedHeader + "." + encodedClaims + "." + (encodedSignature == null ? "" : encodedSignature);
    }
}
