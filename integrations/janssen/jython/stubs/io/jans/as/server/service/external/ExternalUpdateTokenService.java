package io.jans.as.server.service.external;

import io.jans.as.model.token.JsonWebResponse;
import io.jans.as.server.model.common.AccessToken;
import io.jans.as.server.model.common.RefreshToken;
import io.jans.as.server.service.external.context.ExternalUpdateTokenContext;
import io.jans.model.custom.script.conf.CustomScriptConfiguration;
import io.jans.model.custom.script.type.token.UpdateTokenType;
import jakarta.ws.rs.WebApplicationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Stand-in for io.jans.as.server.service.external.ExternalUpdateTokenService with the same
 * per-hook handling as Janssen's (jans-auth-server, the version that rethrows
 * WebApplicationException):
 *
 *   context.setScript(script); result = hook(...); context.throwWebApplicationExceptionIfSet();
 *   catch (WebApplicationException e) { throw e; }
 *   catch (Exception ex) { log; saveScriptError; } -> false (modify*) or 0 (lifetimes)
 *
 * The scripts of a call are those whose DNs the client lists in
 * getAttributes().getUpdateTokenScriptDns() (getScripts); none attached: modifyIdToken false,
 * modifyAccessToken/modifyRefreshToken true, lifetimes 0. A lifetime is the first one above 0.
 * modifyIdTokenMethods' result is ignored by the processor Janssen builds
 * (buildModifyIdTokenProcessor), so only an exception can refuse an id_token.
 */
public class ExternalUpdateTokenService {
    private final Map<String, CustomScriptConfiguration> scriptsByDn = new ConcurrentHashMap<>();
    private final Map<String, Integer> calls = new ConcurrentHashMap<>();
    private final List<String> scriptErrors = new ArrayList<>();

    /** test only: what the custom script manager loads (enabled scripts of type UPDATE_TOKEN, by DN). */
    public void register(CustomScriptConfiguration script) {
        scriptsByDn.put(script.getCustomScript().getDn(), script);
    }

    /** test only: how often each hook was entered. */
    public synchronized int calls(String hook) {
        return calls.getOrDefault(hook, 0);
    }

    /** test only: the exceptions Janssen would have logged and saved as script errors. */
    public synchronized List<String> scriptErrors() {
        return new ArrayList<>(scriptErrors);
    }

    private synchronized void entered(String hook) {
        calls.merge(hook, 1, Integer::sum);
    }

    private synchronized void saveScriptError(Exception ex) {
        scriptErrors.add(ex.toString());
    }

    public List<CustomScriptConfiguration> getCustomScriptConfigurationsByDns(List<String> dns) {
        List<CustomScriptConfiguration> result = new ArrayList<>();
        if (dns == null) return result;
        for (String dn : dns) {
            CustomScriptConfiguration script = scriptsByDn.get(dn);
            if (script != null) result.add(script);
        }
        return result;
    }

    private List<CustomScriptConfiguration> getScripts(ExternalUpdateTokenContext context) {
        if (scriptsByDn.isEmpty() || context.getClient() == null) {
            return new ArrayList<>();
        }
        return getCustomScriptConfigurationsByDns(context.getClient().getAttributes().getUpdateTokenScriptDns());
    }

    public boolean modifyIdTokenMethod(CustomScriptConfiguration script, JsonWebResponse jsonWebResponse, ExternalUpdateTokenContext context) {
        try {
            entered("modifyIdToken");
            context.setScript(script);
            UpdateTokenType updateTokenType = (UpdateTokenType) script.getExternalType();
            final boolean result = updateTokenType.modifyIdToken(jsonWebResponse, context);
            context.throwWebApplicationExceptionIfSet();
            return result;
        } catch (WebApplicationException e) {
            throw e;
        } catch (Exception ex) {
            saveScriptError(ex);
        }
        return false;
    }

    public boolean modifyIdTokenMethods(JsonWebResponse jsonWebResponse, ExternalUpdateTokenContext context) {
        List<CustomScriptConfiguration> scripts = getScripts(context);
        if (scripts.isEmpty()) {
            return false;
        }
        for (CustomScriptConfiguration script : scripts) {
            if (!modifyIdTokenMethod(script, jsonWebResponse, context)) {
                return false;
            }
        }
        return true;
    }

    public Function<JsonWebResponse, Void> buildModifyIdTokenProcessor(final ExternalUpdateTokenContext context) {
        return jsonWebResponse -> {
            modifyIdTokenMethods(jsonWebResponse, context);
            return null;
        };
    }

    public int getRefreshTokenLifetimeInSeconds(CustomScriptConfiguration script, ExternalUpdateTokenContext context) {
        try {
            entered("getRefreshTokenLifetimeInSeconds");
            context.setScript(script);
            UpdateTokenType updateTokenType = (UpdateTokenType) script.getExternalType();
            final int result = updateTokenType.getRefreshTokenLifetimeInSeconds(context);
            context.throwWebApplicationExceptionIfSet();
            return result;
        } catch (WebApplicationException e) {
            throw e;
        } catch (Exception ex) {
            saveScriptError(ex);
        }
        return 0;
    }

    public int getRefreshTokenLifetimeInSeconds(ExternalUpdateTokenContext context) {
        for (CustomScriptConfiguration script : getScripts(context)) {
            final int lifetime = getRefreshTokenLifetimeInSeconds(script, context);
            if (lifetime > 0) {
                return lifetime;
            }
        }
        return 0;
    }

    public boolean modifyRefreshToken(CustomScriptConfiguration script, RefreshToken refreshToken, ExternalUpdateTokenContext context) {
        try {
            entered("modifyRefreshToken");
            context.setScript(script);
            UpdateTokenType updateTokenType = (UpdateTokenType) script.getExternalType();
            final boolean result = updateTokenType.modifyRefreshToken(refreshToken, context);
            context.throwWebApplicationExceptionIfSet();
            return result;
        } catch (WebApplicationException e) {
            throw e;
        } catch (Exception ex) {
            saveScriptError(ex);
        }
        return false;
    }

    public boolean modifyRefreshToken(RefreshToken refreshToken, ExternalUpdateTokenContext context) {
        List<CustomScriptConfiguration> scripts = getScripts(context);
        if (scripts.isEmpty()) {
            return true;
        }
        for (CustomScriptConfiguration script : scripts) {
            if (!modifyRefreshToken(script, refreshToken, context)) {
                return false;
            }
        }
        return true;
    }

    public boolean modifyAccessToken(CustomScriptConfiguration script, AccessToken accessToken, ExternalUpdateTokenContext context) {
        try {
            entered("modifyAccessToken");
            context.setScript(script);
            UpdateTokenType updateTokenType = (UpdateTokenType) script.getExternalType();
            final boolean result = updateTokenType.modifyAccessToken(accessToken, context);
            context.throwWebApplicationExceptionIfSet();
            return result;
        } catch (WebApplicationException e) {
            throw e;
        } catch (Exception ex) {
            saveScriptError(ex);
        }
        return false;
    }

    public boolean modifyAccessToken(AccessToken accessToken, ExternalUpdateTokenContext context) {
        List<CustomScriptConfiguration> scripts = getScripts(context);
        if (scripts.isEmpty()) {
            return true;
        }
        for (CustomScriptConfiguration script : scripts) {
            if (!modifyAccessToken(script, accessToken, context)) {
                return false;
            }
        }
        return true;
    }

    public int getAccessTokenLifetimeInSeconds(CustomScriptConfiguration script, ExternalUpdateTokenContext context) {
        try {
            entered("getAccessTokenLifetimeInSeconds");
            context.setScript(script);
            UpdateTokenType updateTokenType = (UpdateTokenType) script.getExternalType();
            final int result = updateTokenType.getAccessTokenLifetimeInSeconds(context);
            context.throwWebApplicationExceptionIfSet();
            return result;
        } catch (WebApplicationException e) {
            throw e;
        } catch (Exception ex) {
            saveScriptError(ex);
        }
        return 0;
    }

    public int getAccessTokenLifetimeInSeconds(ExternalUpdateTokenContext context) {
        for (CustomScriptConfiguration script : getScripts(context)) {
            final int lifetime = getAccessTokenLifetimeInSeconds(script, context);
            if (lifetime > 0) {
                return lifetime;
            }
        }
        return 0;
    }

    public int getIdTokenLifetimeInSeconds(CustomScriptConfiguration script, ExternalUpdateTokenContext context) {
        try {
            entered("getIdTokenLifetimeInSeconds");
            context.setScript(script);
            UpdateTokenType updateTokenType = (UpdateTokenType) script.getExternalType();
            final int result = updateTokenType.getIdTokenLifetimeInSeconds(context);
            context.throwWebApplicationExceptionIfSet();
            return result;
        } catch (WebApplicationException e) {
            throw e;
        } catch (Exception ex) {
            saveScriptError(ex);
        }
        return 0;
    }

    public int getIdTokenLifetimeInSeconds(ExternalUpdateTokenContext context) {
        for (CustomScriptConfiguration script : getScripts(context)) {
            final int lifetime = getIdTokenLifetimeInSeconds(script, context);
            if (lifetime > 0) {
                return lifetime;
            }
        }
        return 0;
    }
}
