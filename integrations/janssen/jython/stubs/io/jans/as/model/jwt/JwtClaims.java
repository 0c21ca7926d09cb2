package io.jans.as.model.jwt;

import java.util.Date;

/** Stand-in for io.jans.as.model.jwt.JwtClaims: the registered-claim setters the host uses. */
public class JwtClaims extends JwtClaimSet {
    public JwtClaims() {
    }

    public void setIssuer(String issuer) { setClaim("iss", issuer); }
    public void setAudience(String audience) { setClaim("aud", audience); }
    public void setSubjectIdentifier(String subjectIdentifier) { setClaim("sub", subjectIdentifier); }
    public void setExpirationTime(Date expirationTime) { setClaim("exp", expirationTime); }
    public void setIssuedAt(Date issuedAt) { setClaim("iat", issuedAt); }
    public void setIat(Date issuedAt) { setClaim("iat", issuedAt); }
    public void setNbf(Date notBefore) { setClaim("nbf", notBefore); }

    public Date getClaimAsDate(String key) {
        Object claim = getClaim(key);
        return claim instanceof Date ? (Date) claim : null;
    }
}
