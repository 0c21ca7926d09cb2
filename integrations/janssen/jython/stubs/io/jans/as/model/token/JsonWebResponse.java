package io.jans.as.model.token;

import io.jans.as.model.jwt.JwtClaims;
import io.jans.as.model.jwt.JwtHeader;

/** Stand-in for io.jans.as.model.token.JsonWebResponse: a header and claims (the id_token before signing). */
public class JsonWebResponse {
    protected JwtHeader header;
    protected JwtClaims claims;

    public JsonWebResponse() {
        this.header = new JwtHeader();
        this.claims = new JwtClaims();
    }

    public JwtHeader getHeader() { return header; }
    public void setHeader(JwtHeader header) { this.header = header; }
    public JwtClaims getClaims() { return claims; }
    public void setClaims(JwtClaims claims) { this.claims = claims; }

    public void setClaim(String key, String value) {
        if (claims == null) return;
        claims.setClaim(key, value);
    }

    public String asString() { return claims.toJsonString(); }

    @Override
    public String toString() { return asString(); }
}
