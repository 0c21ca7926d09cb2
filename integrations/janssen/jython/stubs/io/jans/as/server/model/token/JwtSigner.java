package io.jans.as.server.model.token;

import io.jans.as.model.jwt.Jwt;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Stand-in for io.jans.as.server.model.token.JwtSigner: newJwt() gives the JWT whose claims are
 * filled before signing (AuthorizationGrant.createAccessTokenAsJwt), getJwt() the same object
 * (ExternalUpdateTokenContext.getJwt/getClaims), sign() the compact form. The signature is a
 * placeholder (nothing here verifies it); Janssen's constructor takes the keys and algorithm.
 */
public class JwtSigner {
    private Jwt jwt;

    /** test only: Janssen's takes (AppConfiguration, WebKeysConfiguration, SignatureAlgorithm, audience, hmacSecret). */
    public JwtSigner() {
    }

    public Jwt newJwt() {
        jwt = new Jwt();
        jwt.getHeader().setClaim("alg", "PS256");
        jwt.getHeader().setClaim("typ", "JWT");
        return jwt;
    }

    public Jwt getJwt() { return jwt; }

    public Jwt sign() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        jwt.setEncoded(b64.encodeToString(jwt.getHeader().toJsonString().getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString(jwt.getClaims().toJsonString().getBytes(StandardCharsets.UTF_8)));
        jwt.setEncodedSignature("c2lnbmF0dXJlLW5vdC12ZXJpZmllZA");
        return jwt;
    }
}
