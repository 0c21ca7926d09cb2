package io.jans.model.custom.script.type.client;

import io.jans.model.custom.script.type.BaseExternalType;

/** Same signatures as io.jans.model.custom.script.type.client.ClientRegistrationType (jans-core). */
public interface ClientRegistrationType extends BaseExternalType {

    // context - io.jans.as.server.service.external.context.DynamicClientRegistrationContext
    boolean createClient(Object context);

    // context - io.jans.as.server.service.external.context.DynamicClientRegistrationContext
    boolean updateClient(Object context);

    String getSoftwareStatementHmacSecret(Object context);

    String getSoftwareStatementJwks(Object context);

    String getDcrHmacSecret(Object context);

    String getDcrJwks(Object context);

    // cert - java.security.cert.X509Certificate
    boolean isCertValidForClient(Object cert, Object context);

    boolean modifyPutResponse(Object responseAsJsonObject, Object executionContext);

    boolean modifyReadResponse(Object responseAsJsonObject, Object executionContext);

    boolean modifyPostResponse(Object responseAsJsonObject, Object executionContext);
}
