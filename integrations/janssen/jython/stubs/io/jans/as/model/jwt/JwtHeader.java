package io.jans.as.model.jwt;

/** Stand-in for io.jans.as.model.jwt.JwtHeader: a claim set. */
public class JwtHeader extends JwtClaimSet {
    public JwtHeader() {
    }
}
