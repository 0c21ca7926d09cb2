package io.jans.as.server.model.common;

import io.jans.as.common.model.common.User;
import io.jans.as.common.model.registration.Client;
import io.jans.as.model.jwt.Jwt;
import io.jans.as.model.jwt.JwtClaims;
import io.jans.as.model.token.JsonWebResponse;
import io.jans.as.server.model.token.JwtSigner;
import io.jans.as.server.service.external.context.ExternalUpdateTokenContext;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.Calendar;
import java.util.Date;

/**
 * Stand-in for io.jans.as.server.model.common.AuthorizationGrant, with the control flow of
 * Janssen's token creation around the Update Token scripts:
 *
 * - createAccessToken: the JWT's claims are filled (createAccessTokenAsJwt) before
 *   modifyAccessToken runs with ExternalUpdateTokenContext.of(context, jwtSigner) and signed
 *   after it; a false result is HTTP 403 access_denied; WebApplicationException passes through,
 *   any other exception gives no access token (null);
 * - saveRefreshToken: modifyRefreshToken runs with ExternalUpdateTokenContext.of(context); false
 *   means no refresh token; any exception, WebApplicationException included, also gives none;
 * - createIdToken: the claims are filled as IdTokenFactory does (lifetime from
 *   getIdTokenLifetimeInSeconds with ExternalUpdateTokenContext.of(context)), then the pre- and
 *   post-processors run (the post-processor is ExternalUpdateTokenService's modifyIdToken, whose
 *   result Janssen ignores); WebApplicationException passes through.
 *
 * Persistence, statistics, metrics and the signing keys are left out.
 */
public abstract class AuthorizationGrant extends AbstractAuthorizationGrant {

    protected AuthorizationGrant(User user, Client client, Date authenticationTime) {
        super(user, client, authenticationTime);
    }

    @Override
    public AccessToken createAccessToken(ExecutionContext context) {
        try {
            final AccessToken accessToken = super.createAccessToken(context);
            if (accessToken.getExpiresIn() < 0) {
                return null;
            }
            JwtSigner jwtSigner = null;
            if (getClient().isAccessTokenAsJwt()) {
                jwtSigner = createAccessTokenAsJwt(accessToken, context);
            }
            boolean externalOk = externalUpdateTokenService().modifyAccessToken(accessToken, ExternalUpdateTokenContext.of(context, jwtSigner));
            if (!externalOk) {
                throw new WebApplicationException(Response.status(403).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity("{\"error\":\"access_denied\",\"error_description\":\"External UpdateToken script forbids access token creation.\"}")
                        .build());
            }
            if (getClient().isAccessTokenAsJwt() && jwtSigner != null) {
                accessToken.setCode(jwtSigner.sign().toString());
            }
            return accessToken;
        } catch (WebApplicationException e) {
            throw e;
        } catch (Exception e) {
            return null;
        }
    }

    public JwtSigner createAccessTokenAsJwt(AccessToken accessToken, ExecutionContext context) {
        final JwtSigner jwtSigner = new JwtSigner();
        final Jwt jwt = jwtSigner.newJwt();
        JwtClaims claims = jwt.getClaims();
        claims.setClaim("scope", new ArrayList<>(getScopes()));
        claims.setClaim("client_id", getClientId());
        claims.setClaim("token_type", "Bearer");
        claims.setClaim("acr", getAcrValues());
        claims.setExpirationTime(accessToken.getExpirationDate());
        claims.setIat(accessToken.getCreationDate());
        claims.setNbf(accessToken.getCreationDate());
        claims.setSubjectIdentifier(getSub());
        claims.setClaim("x5t#S256", accessToken.getX5ts256());
        claims.setAudience(getClientId());
        return jwtSigner;
    }

    private RefreshToken saveRefreshToken(RefreshToken refreshToken, ExecutionContext executionContext) {
        try {
            if (refreshToken.getExpiresIn() > 0) {
                boolean externalOk = externalUpdateTokenService().modifyRefreshToken(refreshToken, ExternalUpdateTokenContext.of(executionContext));
                if (!externalOk) {
                    return null; // "External script forbids refresh token creation."
                }
                return refreshToken;
            }
            return null;
        } catch (Exception e) {
            return null; // Janssen logs it and issues no refresh token
        }
    }

    @Override
    public RefreshToken createRefreshToken(ExecutionContext context) {
        return saveRefreshToken(super.createRefreshToken(context), context);
    }

    @Override
    public RefreshToken createRefreshToken(ExecutionContext context, int lifetime) {
        return saveRefreshToken(super.createRefreshToken(context, lifetime), context);
    }

    @Override
    public IdToken createIdToken(String nonce, AuthorizationCode authorizationCode, AccessToken accessToken, RefreshToken refreshToken,
                                 String state, ExecutionContext executionContext) {
        try {
            JsonWebResponse jwr = new JsonWebResponse();
            jwr.getClaims().setIssuer(appConfiguration().getIssuer());
            jwr.getClaims().setAudience(getClientId());
            int lifeTime = appConfiguration().getIdTokenLifetime();
            int lifetimeFromScript = externalUpdateTokenService().getIdTokenLifetimeInSeconds(ExternalUpdateTokenContext.of(executionContext));
            if (lifetimeFromScript > 0) {
                lifeTime = lifetimeFromScript;
            }
            Calendar calendar = Calendar.getInstance();
            Date issuedAt = calendar.getTime();
            calendar.add(Calendar.SECOND, lifeTime);
            Date expiration = calendar.getTime();
            jwr.getClaims().setExpirationTime(expiration);
            jwr.getClaims().setIat(issuedAt);
            if (nonce != null) jwr.setClaim("nonce", nonce);
            jwr.getClaims().setSubjectIdentifier(getSub());
            if (executionContext.getPreProcessing() != null) {
                executionContext.getPreProcessing().apply(jwr);
            }
            if (executionContext.getPostProcessor() != null) {
                executionContext.getPostProcessor().apply(jwr);
            }
            return new IdToken(jwr.toString(), issuedAt, expiration);
        } catch (WebApplicationException e) {
            throw e;
        } catch (Exception e) {
            return null;
        }
    }

    /** Janssen's comes from SectorIdentifierService (the user's pairwise or public id); else the client id. */
    @Override
    public String getSub() {
        String userId = getUserId();
        return userId != null && !userId.isEmpty() ? userId : getClientId();
    }
}
