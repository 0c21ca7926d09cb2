package io.jans.model.custom.script.type.token;

import io.jans.model.custom.script.type.BaseExternalType;

/** Same signatures as io.jans.model.custom.script.type.token.UpdateTokenType (jans-core). */
public interface UpdateTokenType extends BaseExternalType {

    // jsonWebResponse - io.jans.as.model.token.JsonWebResponse (the id_token), tokenContext - ExternalUpdateTokenContext
    boolean modifyIdToken(Object jsonWebResponse, Object tokenContext);

    // refreshToken - io.jans.as.server.model.common.RefreshToken
    boolean modifyRefreshToken(Object refreshToken, Object tokenContext);

    // accessToken - io.jans.as.server.model.common.AccessToken
    boolean modifyAccessToken(Object accessToken, Object tokenContext);

    int getRefreshTokenLifetimeInSeconds(Object tokenContext);

    int getIdTokenLifetimeInSeconds(Object context);

    int getAccessTokenLifetimeInSeconds(Object context);
}
