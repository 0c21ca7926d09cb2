import io.jans.as.common.model.common.User;
import io.jans.as.common.model.registration.Client;
import io.jans.as.common.service.AttributeService;
import io.jans.as.model.common.GrantType;
import io.jans.as.model.configuration.AppConfiguration;
import io.jans.as.model.jwt.JwtClaims;
import io.jans.as.model.token.JsonWebResponse;
import io.jans.as.model.util.CertUtils;
import io.jans.as.server.model.common.AccessToken;
import io.jans.as.server.model.common.AuthorizationCodeGrant;
import io.jans.as.server.model.common.ExecutionContext;
import io.jans.as.server.model.common.IdToken;
import io.jans.as.server.model.common.RefreshToken;
import io.jans.as.server.model.token.JwtSigner;
import io.jans.as.server.service.external.ExternalUpdateTokenService;
import io.jans.as.server.service.external.context.ExternalUpdateTokenContext;
import io.jans.model.SimpleCustomProperty;
import io.jans.model.custom.script.conf.CustomScriptConfiguration;
import io.jans.model.custom.script.model.CustomScript;
import io.jans.model.custom.script.type.token.UpdateTokenType;
import io.jans.orm.PersistenceEntryManager;
import io.jans.service.cdi.util.CdiUtil;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import org.json.JSONArray;
import org.json.JSONObject;
import org.python.core.PyLong;
import org.python.core.PyObject;
import org.python.util.PythonInterpreter;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Runs update_token.py under Jython the way Janssen does and plays token requests through it.
 *
 * Loading as for any Janssen custom script (PythonInterpreter with python.import.site=false,
 * execfile, the class UpdateToken called with the time in milliseconds,
 * __tojava__(UpdateTokenType), init(customScript, properties) for API version 11 with
 * java.lang.String values, print output to the log). The script is registered in the
 * ExternalUpdateTokenService stand-in under its DN; a client runs it only when it lists that DN in
 * updateTokenScriptDns, which is what client_registration.py wrote on the client registered in
 * ScriptHost's live phase (read back from --client-file).
 *
 * A token request is played as TokenRestWebServiceImpl.processAuthorizationCode plays it:
 * TokenCreatorService.createRefreshToken (getRefreshTokenLifetimeInSeconds through a context built
 * with the execution context, then AuthorizationGrant.saveRefreshToken's modifyRefreshToken), then
 * createAccessToken (getAccessTokenLifetimeInSeconds, modifyAccessToken with the JWT signer), then
 * createIdToken (getIdTokenLifetimeInSeconds, and modifyIdToken through the processor built on a
 * context WITHOUT the execution context): six hooks, five different context objects, one
 * HttpServletRequest, one grant. Every hook goes through the stand-in ExternalUpdateTokenService,
 * whose try/catch is Janssen's.
 *
 *   java ... TokenHost --script update_token.py --url URL --fixtures DIR --phase P --log FILE
 *        --client-file FILE
 *
 * Every token request sends the TPP's transport certificate (certs-fixtures
 * registration/tpp-transport.pem, the certificate the client was registered with) in X-ClientCert,
 * as a PEM block unless a scenario says otherwise (URL-escaped as nginx forwards it, folded onto one
 * line as Apache does, or none at all). The script's transport is wrapped by a counter
 * (_host_counting_transport, calling the script's own post_decision) so that a scenario can assert
 * how many calls reached the decision service: none for a request the script refuses itself.
 *
 * Phases: allow (software active), aisp (the software's roles cut to AISP), deny (software
 * inactive), stopped (decision service stopped). Prints "PASS name" or "FAIL name: why" per
 * scenario; exit 0 when all passed.
 */
public final class TokenHost {

    static final String SOFTWARE_ID = "4ZUKbHjbA2ZqxCxTsQPkTY";
    static final String ORG_ID = "0015800001041REAAY";
    static final String INTENT = "urn-alphabank-intent-58923";
    static final String CLAIMS = "{\"id_token\":{\"openbanking_intent_id\":{\"value\":\"" + INTENT + "\",\"essential\":true}}}";
    static final List<String> SCOPES = Arrays.asList("openid", "accounts", "payments");
    static final List<String> HOOKS = Arrays.asList("getRefreshTokenLifetimeInSeconds", "modifyRefreshToken",
            "getAccessTokenLifetimeInSeconds", "modifyAccessToken", "getIdTokenLifetimeInSeconds", "modifyIdToken");
    static final String DECISION_LINE = "ssa-toolkit token: client " + SOFTWARE_ID + ": ";

    private final Map<String, String> args;
    private final Path fixtures;
    private final ScriptHost.LogCapture log;
    private final ExternalUpdateTokenService service = new ExternalUpdateTokenService();
    private final AppConfiguration appConfiguration = new AppConfiguration();
    private final AttributeService attributeService = new AttributeService();
    private UpdateTokenType script;
    private CustomScript customScript;
    private PythonInterpreter interpreter;
    private String tppPem;
    private int passed;
    private int failed;

    private TokenHost(Map<String, String> args) throws IOException {
        this.args = args;
        this.fixtures = Paths.get(require(args, "fixtures"));
        this.log = new ScriptHost.LogCapture(new File(require(args, "log")));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) throw new IllegalArgumentException("unexpected " + argv[i]);
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        long limit = Long.parseLong(args.getOrDefault("time-limit", "150"));
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limit * 1000);
                System.out.println("FAIL token host time limit: still running after " + limit + " s");
                System.out.flush();
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException ignored) {
                // finished in time
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        TokenHost host = new TokenHost(args);
        int status = host.run();
        System.out.flush();
        System.exit(status);
    }

    private int run() throws Exception {
        appConfiguration.setAccessTokenLifetime(3600);
        appConfiguration.setIdTokenLifetime(3600);
        appConfiguration.setRefreshTokenLifetime(14400);
        CdiUtil.register(AppConfiguration.class, appConfiguration);
        CdiUtil.register(ExternalUpdateTokenService.class, service);
        CdiUtil.register(PersistenceEntryManager.class, null);
        tppPem = new String(Files.readAllBytes(fixtures.resolve("registration/tpp-transport.pem")), StandardCharsets.UTF_8);
        String phase = require(args, "phase");
        try {
            load(require(args, "script"), require(args, "url"));
        } catch (Exception e) {
            fail("load the Update Token script the way Janssen does (" + phase + ")", e.toString());
            return 1;
        }
        try {
            switch (phase) {
                case "allow": allow(); break;
                case "aisp": aisp(); break;
                case "deny": deny(); break;
                case "stopped": stopped(); break;
                default: throw new IllegalArgumentException("--phase allow|aisp|deny|stopped");
            }
        } catch (Exception e) {
            fail("token phase " + phase, e.toString());
        }
        log.close();
        return failed == 0 ? 0 : 1;
    }

    // ------------------------------------------------------------------------------------ loading

    private void load(String scriptPath, String url) throws Exception {
        Properties pre = (Properties) System.getProperties().clone();
        Properties post = (Properties) pre.clone();
        post.setProperty("python.cachedir", Files.createTempDirectory("jython-cache").toString());
        post.setProperty("python.console.encoding", "UTF-8");
        post.setProperty("python.import.site", "false");
        PythonInterpreter.initialize(pre, post, new String[0]);
        interpreter = PythonInterpreter.threadLocalStateInterpreter(null);
        interpreter.setOut(log);
        interpreter.setErr(log);
        try (InputStream in = new FileInputStream(scriptPath)) {
            interpreter.execfile(in, new File(scriptPath).getName());
        }
        PyObject type = interpreter.get("UpdateToken");
        if (type == null) throw new IllegalStateException("the script defines no class UpdateToken");
        PyObject instance = type.__call__(new PyObject[]{new PyLong(System.currentTimeMillis())});
        Object external = instance.__tojava__(UpdateTokenType.class);
        if (!(external instanceof UpdateTokenType)) {
            throw new IllegalStateException("UpdateToken is not an UpdateTokenType");
        }
        script = (UpdateTokenType) external;
        // Counts the calls that reach the decision service; the call itself is the script's own.
        interpreter.exec("_host_decision_calls = [0]\n"
                + "def _host_counting_transport(url, call, timeout, bearer=None):\n"
                + "    _host_decision_calls[0] += 1\n"
                + "    return post_decision(url, call, timeout, bearer)\n");
        instance.__setattr__("transport", interpreter.get("_host_counting_transport"));

        Map<String, SimpleCustomProperty> attributes = new HashMap<>();
        attributes.put("ssaToolkitUrl", new SimpleCustomProperty("ssaToolkitUrl", new String(url)));
        attributes.put("timeoutSeconds", new SimpleCustomProperty("timeoutSeconds", "2"));
        customScript = new CustomScript("ssa_toolkit_update_token", new String(Files.readAllBytes(Paths.get(scriptPath)), StandardCharsets.UTF_8));
        customScript.setDn(ScriptHost.UPDATE_TOKEN_SCRIPT_DN);
        if (script.getApiVersion() != 11) throw new IllegalStateException("getApiVersion() is " + script.getApiVersion() + ", not 11");
        if (!script.init(customScript, attributes)) throw new IllegalStateException("init returned false");
        service.register(new CustomScriptConfiguration(script, customScript, attributes));
    }

    /** How many calls the script has made to the decision service in this JVM. */
    private int decisionCalls() {
        return interpreter.eval("_host_decision_calls[0]").asInt();
    }

    /** A JWT-shaped string with `payload` (unsigned: the script reads the stored SSA's iss only). */
    private static String unsignedJwt(String payload) {
        java.util.Base64.Encoder encoder = java.util.Base64.getUrlEncoder().withoutPadding();
        return encoder.encodeToString("{\"alg\":\"PS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + encoder.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + encoder.encodeToString(new byte[] {1, 2, 3});
    }

    /** The client entry client_registration.py wrote (ScriptHost live phase), as Janssen loads it. */
    private Client registeredClient() throws IOException {
        Path file = Paths.get(require(args, "client-file"));
        if (!Files.exists(file)) {
            throw new IllegalStateException("no registered client: the registration phase did not register " + SOFTWARE_ID);
        }
        Properties p = new Properties();
        try (Reader in = new InputStreamReader(new FileInputStream(file.toFile()), StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Client client = new Client();
        client.setClientId(p.getProperty("clientId"));
        client.setDn(p.getProperty("dn"));
        client.setSoftwareId(p.getProperty("softwareId"));
        client.setOrganization(p.getProperty("organization"));
        client.setTokenEndpointAuthMethod(p.getProperty("tokenEndpointAuthMethod"));
        client.getAttributes().setTlsClientAuthSubjectDn(p.getProperty("tlsClientAuthSubjectDn"));
        List<String> dns = new ArrayList<>();
        for (int i = 0; p.containsKey("updateTokenScriptDns." + i); i++) dns.add(p.getProperty("updateTokenScriptDns." + i));
        client.getAttributes().setUpdateTokenScriptDns(dns);
        List<GrantType> grants = new ArrayList<>();
        for (int i = 0; p.containsKey("grantTypes." + i); i++) grants.add(GrantType.fromString(p.getProperty("grantTypes." + i)));
        client.setGrantTypes(grants.toArray(new GrantType[0]));
        client.setAccessTokenAsJwt(true); // an administrator's choice (jansAccessTknAsJwt); Open Banking resource servers read JWTs
        return client;
    }

    // ------------------------------------------------------------------------------------ Janssen's token endpoint

    /** What one token request ended with. */
    static final class Flow {
        WebApplicationException refused;
        AccessToken accessToken;
        JwtClaims accessTokenClaims;
        RefreshToken refreshToken;
        IdToken idToken;
        List<String> grantScopes;
        Map<String, Integer> hookCalls = new HashMap<>();
        int decisionCalls;
        String exception;

        int status() { return refused == null ? 200 : refused.getResponse().getStatus(); }

        String error() {
            if (refused == null) return null;
            try {
                return new JSONObject(String.valueOf(refused.getResponse().getEntity())).optString("error");
            } catch (RuntimeException notJson) {
                return "(not JSON) " + refused.getResponse().getEntity();
            }
        }

        JSONObject idTokenClaims() { return idToken == null ? null : new JSONObject(idToken.getCode()); }

        @Override
        public String toString() {
            if (exception != null) return "exception " + exception;
            if (refused != null) return "HTTP " + status() + " " + refused.getResponse().getEntity();
            return "issued: access token " + (accessToken != null) + ", refresh token " + (refreshToken != null)
                    + ", id_token " + (idToken != null) + ", grant scopes " + grantScopes + ", hooks " + hookCalls
                    + ", decision calls " + decisionCalls;
        }
    }

    static final class Request implements HttpServletRequest {
        private final Map<String, String> headers = new HashMap<>();
        private final Map<String, String> parameters = new HashMap<>();
        private final Map<String, Object> attributes = new HashMap<>();

        Request(String clientCert) {
            this(clientCert, "authorization_code");
        }

        /** grantType null: the request has no grant_type parameter. */
        Request(String clientCert, String grantType) {
            if (clientCert != null) headers.put("x-clientcert", clientCert);
            if (grantType != null) parameters.put("grant_type", grantType);
            parameters.put("code", "c0de-" + System.nanoTime());
        }

        @Override public String getHeader(String name) { return headers.get(name.toLowerCase()); }
        @Override public String getParameter(String name) { return parameters.get(name); }
        @Override public String getRemoteAddr() { return "127.0.0.1"; }
        @Override public Object getAttribute(String name) { return attributes.get(name); }
        @Override public void setAttribute(String name, Object value) { if (value == null) attributes.remove(name); else attributes.put(name, value); }
        @Override public void removeAttribute(String name) { attributes.remove(name); }
    }

    private AuthorizationCodeGrant grant(Client client) {
        return grant(client, SCOPES);
    }

    private AuthorizationCodeGrant grant(Client client, List<String> scopes) {
        User user = new User();
        user.setUserId("user-1");
        AuthorizationCodeGrant grant = new AuthorizationCodeGrant(user, client, new Date());
        grant.setScopes(scopes);
        grant.setClaims(CLAIMS);
        return grant;
    }

    /** A token request for the authorization_code grant, played as Janssen plays it. */
    private Flow tokenRequest(Client client) {
        return tokenRequest(client, tppPem, "authorization_code", SCOPES);
    }

    /**
     * A token request played as Janssen plays an authorization_code request, with this X-ClientCert
     * header (null: none), grant_type parameter and grant scopes. (Janssen would hold another grant
     * class for another grant type; the script reads the request's grant_type parameter.)
     */
    private Flow tokenRequest(Client client, String clientCert, String grantType, List<String> scopes) {
        Flow flow = new Flow();
        Map<String, Integer> before = new HashMap<>();
        for (String hook : HOOKS) before.put(hook, service.calls(hook));
        int callsBefore = decisionCalls();
        Request request = new Request(clientCert, grantType);
        AuthorizationCodeGrant grant = grant(client, scopes);
        ExecutionContext executionContext = new ExecutionContext(request, null);
        executionContext.setGrant(grant);
        executionContext.setClient(client);
        executionContext.setAppConfiguration(appConfiguration);
        executionContext.setAttributeService(attributeService);
        executionContext.setCertAsPem(request.getHeader("X-ClientCert"));
        try {
            // TokenCreatorService.createRefreshToken(executionContext, scope)
            if (client.getGrantTypes() != null && Arrays.asList(client.getGrantTypes()).contains(GrantType.REFRESH_TOKEN)) {
                ExternalUpdateTokenContext context = new ExternalUpdateTokenContext(request, grant, client, appConfiguration, attributeService);
                context.setExecutionContext(executionContext);
                int lifetime = service.getRefreshTokenLifetimeInSeconds(context);
                flow.refreshToken = lifetime > 0 ? grant.createRefreshToken(executionContext, lifetime) : grant.createRefreshToken(executionContext);
            }
            // scope = grant.checkScopesPolicy(scope): this token request names no scope
            flow.accessToken = grant.createAccessToken(executionContext);
            if (flow.accessToken != null && client.isAccessTokenAsJwt()) {
                String[] parts = flow.accessToken.getCode().split("\\.");
                JSONObject payload = new JSONObject(new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
                flow.accessTokenClaims = new JwtClaims();
                for (String key : payload.keySet()) {
                    Object value = payload.get(key);
                    if (value instanceof String) flow.accessTokenClaims.setClaim(key, (String) value);
                    else if (value instanceof JSONArray) flow.accessTokenClaims.setClaim(key, (JSONArray) value);
                    else if (value instanceof JSONObject) flow.accessTokenClaims.setClaim(key, (JSONObject) value);
                    else if (value instanceof Long) flow.accessTokenClaims.setClaim(key, (Long) value);
                    else if (value instanceof Boolean) flow.accessTokenClaims.setClaim(key, (Boolean) value);
                }
            }
            if (grant.getScopes().contains("openid")) {
                ExternalUpdateTokenContext context = new ExternalUpdateTokenContext(request, grant, client, appConfiguration, attributeService);
                executionContext.setPostProcessor(service.buildModifyIdTokenProcessor(context));
                flow.idToken = grant.createIdToken(null, null, flow.accessToken, null, null, executionContext);
            }
        } catch (WebApplicationException e) {
            flow.refused = e;
        } catch (RuntimeException e) {
            flow.exception = e.toString();
        }
        flow.grantScopes = new ArrayList<>(grant.getScopes());
        for (String hook : HOOKS) flow.hookCalls.put(hook, service.calls(hook) - before.get(hook));
        flow.decisionCalls = decisionCalls() - callsBefore;
        return flow;
    }

    /** One hook alone, first of a fresh token request, through the service as Janssen calls it. */
    private Object hookAlone(String hook, Client client) {
        Request request = new Request(tppPem);
        AuthorizationCodeGrant grant = grant(client);
        ExecutionContext executionContext = new ExecutionContext(request, null);
        executionContext.setGrant(grant);
        executionContext.setClient(client);
        executionContext.setAppConfiguration(appConfiguration);
        executionContext.setAttributeService(attributeService);
        JwtSigner signer = new JwtSigner();
        signer.newJwt();
        ExternalUpdateTokenContext context = ExternalUpdateTokenContext.of(executionContext, signer);
        try {
            switch (hook) {
                case "getRefreshTokenLifetimeInSeconds": return service.getRefreshTokenLifetimeInSeconds(context);
                case "modifyRefreshToken": return service.modifyRefreshToken(new RefreshToken(60), context);
                case "getAccessTokenLifetimeInSeconds": return service.getAccessTokenLifetimeInSeconds(context);
                case "modifyAccessToken": return service.modifyAccessToken(new AccessToken(60), context);
                case "getIdTokenLifetimeInSeconds": return service.getIdTokenLifetimeInSeconds(context);
                case "modifyIdToken": return service.modifyIdTokenMethods(new JsonWebResponse(), context);
                default: throw new IllegalArgumentException(hook);
            }
        } catch (WebApplicationException e) {
            return e;
        }
    }

    // ------------------------------------------------------------------------------------ scenarios

    private void allow() throws Exception {
        final Client client = registeredClient();
        scenario("token allow: the registered client runs the Update Token script (software_id, org_id and script DN from registration)", problems -> {
            expect(problems, "software id", SOFTWARE_ID.equals(client.getSoftwareId()), client.getSoftwareId());
            expect(problems, "org id (organization)", ORG_ID.equals(client.getOrganization()), client.getOrganization());
            expect(problems, "updateTokenScriptDns", client.getAttributes().getUpdateTokenScriptDns().contains(ScriptHost.UPDATE_TOKEN_SCRIPT_DN),
                    client.getAttributes().getUpdateTokenScriptDns());
            expect(problems, "the client may have refresh tokens", Arrays.asList(client.getGrantTypes()).contains(GrantType.REFRESH_TOKEN),
                    Arrays.toString(client.getGrantTypes()));
        });

        scenario("token client: tls_client_auth, and the registered subject DN names the TPP's transport certificate every allowed request sends", problems -> {
            X509Certificate certificate = CertUtils.x509CertificateFromPem(tppPem);
            expect(problems, "the fixture certificate reads", certificate != null, tppPem.length() + " characters");
            if (certificate == null) return;
            String subject = certificate.getSubjectDN().getName();
            expect(problems, "token_endpoint_auth_method tls_client_auth (byte for byte)", "tls_client_auth".equals(client.getTokenEndpointAuthMethod()),
                    client.getTokenEndpointAuthMethod());
            String dn = client.getAttributes().getTlsClientAuthSubjectDn();
            expect(problems, "tls_client_auth_subject_dn equals the certificate's subject as Janssen compares it (equalsRdn)",
                    CertUtils.equalsRdn(dn, subject), dn + " vs " + subject);
            expect(problems, "certificate CN = software_id, OU = org_id", subject.contains("CN=" + SOFTWARE_ID) && subject.contains("OU=" + ORG_ID), subject);
            expect(problems, "valid now", certificate.getNotBefore().before(new Date()) && certificate.getNotAfter().after(new Date()),
                    certificate.getNotBefore() + " .. " + certificate.getNotAfter());
        });

        final int mark = log.length();
        final Flow flow = tokenRequest(client);
        scenario("token allow: issued with scopes openid accounts payments; id_token openbanking_intent_id and sub; lifetimes 300/300/7776000", problems -> {
            expect(problems, "issued", flow.refused == null && flow.exception == null && flow.accessToken != null && flow.idToken != null, flow);
            expect(problems, "access token scope claim (overwritten)", flow.accessTokenClaims != null
                    && "[\"openid\",\"accounts\",\"payments\"]".equals(String.valueOf(flow.accessTokenClaims.getClaim("scope"))),
                    flow.accessTokenClaims == null ? null : flow.accessTokenClaims.getClaim("scope"));
            expect(problems, "grant scopes", SCOPES.equals(flow.grantScopes), flow.grantScopes);
            JSONObject id = flow.idTokenClaims();
            expect(problems, "id_token openbanking_intent_id", id != null && INTENT.equals(id.opt("openbanking_intent_id")), id);
            expect(problems, "id_token sub = the intent id", id != null && INTENT.equals(id.opt("sub")), id);
            expect(problems, "access token lifetime 300", flow.accessToken != null && flow.accessToken.lifetimeSeconds() == 300,
                    flow.accessToken == null ? null : flow.accessToken.lifetimeSeconds());
            expect(problems, "id_token lifetime 300", flow.idToken != null && flow.idToken.lifetimeSeconds() == 300,
                    flow.idToken == null ? null : flow.idToken.lifetimeSeconds());
            expect(problems, "refresh token lifetime 7776000", flow.refreshToken != null && flow.refreshToken.lifetimeSeconds() == 7776000,
                    flow.refreshToken == null ? null : flow.refreshToken.lifetimeSeconds());
        });

        scenario("token allow: one decision call for the six hooks of the request (five different contexts)", problems -> {
            for (String hook : HOOKS) {
                expect(problems, hook + " ran once", flow.hookCalls.get(hook) == 1, flow.hookCalls.get(hook));
            }
            String said = log.since(mark);
            expect(problems, "exactly one decision", count(said, DECISION_LINE) == 1, said.trim());
            expect(problems, "exactly one call to the decision service", flow.decisionCalls == 1, flow.decisionCalls);
            expect(problems, "an allow", said.contains(DECISION_LINE + "allow"), said.trim());
            expect(problems, "no script error saved by Janssen", service.scriptErrors().isEmpty(), service.scriptErrors());
        });

        scenario("token allow: claims in Janssen's JwtClaims with Java types; access token bound to the certificate (cnf x5t#S256)", problems -> {
            JwtClaims at = flow.accessTokenClaims;
            expect(problems, "an access token JWT", at != null, flow);
            if (at == null) return;
            expect(problems, "access token openbanking_intent_id", INTENT.equals(at.getClaim("openbanking_intent_id")), at.toJsonString());
            Object cnf = at.getClaim("cnf");
            String expected = flow.accessToken.getX5ts256();
            expect(problems, "cnf x5t#S256 = Janssen's own x5t#S256 of the certificate", cnf instanceof JSONObject
                    && expected != null && !expected.isEmpty() && expected.equals(((JSONObject) cnf).opt("x5t#S256")), cnf + " vs " + expected);
            JSONObject id = flow.idTokenClaims();
            expect(problems, "id_token claims are text, not true", id != null && id.opt("sub") instanceof String
                    && id.opt("openbanking_intent_id") instanceof String, id);
        });

        scenario("token allow: under Jython each JSON claim type lands on the right JwtClaims.setClaim overload (a plain int would become true)", problems -> {
            JwtClaims claims = new JwtClaims();
            interpreter.set("_host_claims", claims);
            interpreter.exec("set_claims(_host_claims, json.loads('{\"n\": 2, \"big\": 1099511627776, \"b\": true, \"s\": \"x\", "
                    + "\"o\": {\"a\": [1]}, \"l\": [1, \"two\"], \"z\": null}'))");
            Map<String, String> expected = new HashMap<>();
            expected.put("n", "Long");
            expected.put("big", "Long");
            expected.put("b", "Boolean");
            expected.put("s", "String");
            expected.put("o", "JSONObject");
            expected.put("l", "JSONArray");
            for (Map.Entry<String, String> e : expected.entrySet()) {
                expect(problems, e.getKey() + " as " + e.getValue(), e.getValue().equals(claims.typeOf(e.getKey())), claims.typeOf(e.getKey()));
            }
            expect(problems, "values", "{\"b\":true,\"big\":1099511627776,\"l\":[1,\"two\"],\"n\":2,\"o\":{\"a\":[1]},\"s\":\"x\"}"
                    .equals(claims.toJsonString()), claims.toJsonString());
            expect(problems, "null is not set", !claims.keys().contains("z"), claims.keys());
            // The pitfall the script avoids: Jython itself picks setClaim(String, Boolean) for an int.
            interpreter.exec("_host_claims.setClaim('raw', 5)");
            expect(problems, "Jython's own choice for a plain int is setClaim(String, Boolean) (why the script converts)",
                    "Boolean".equals(claims.typeOf("raw")), claims.typeOf("raw") + " " + claims.getClaim("raw"));
        });

        final int mark2 = log.length();
        final Flow second = tokenRequest(client);
        scenario("token allow: the next token request gets its own decision", problems -> {
            expect(problems, "issued", second.refused == null && second.accessToken != null, second);
            expect(problems, "one more decision", count(log.since(mark2), DECISION_LINE) == 1, log.since(mark2).trim());
        });

        // The SSA Janssen stores with the client (jansSoftStatement) names the directory asked at
        // token time: the script sends its iss as ssa_issuer. The trusted directory's: issued;
        // an issuer the service does not trust: refused, so the member did reach the service.
        final Client trusted = registeredClient();
        trusted.setSoftwareStatement(unsignedJwt("{\"iss\":\"OpenBanking Ltd\",\"software_id\":\"" + SOFTWARE_ID + "\"}"));
        final int mark3 = log.length();
        final Flow fromTrusted = tokenRequest(trusted);
        final Client foreign = registeredClient();
        foreign.setSoftwareStatement(unsignedJwt("{\"iss\":\"Rogue Directory\",\"software_id\":\"" + SOFTWARE_ID + "\"}"));
        final Flow fromForeign = tokenRequest(foreign);
        scenario("token ssa_issuer: the stored SSA's iss picks the directory; a trusted one issues, an untrusted one is refused 403", problems -> {
            expect(problems, "trusted issuer: issued", fromTrusted.refused == null && fromTrusted.accessToken != null, fromTrusted);
            expect(problems, "untrusted issuer: HTTP 403 access_denied", fromForeign.status() == 403 && "access_denied".equals(fromForeign.error()), fromForeign);
            expect(problems, "untrusted issuer: nothing issued", fromForeign.accessToken == null && fromForeign.idToken == null, fromForeign);
            expect(problems, "one decision each", count(log.since(mark3), DECISION_LINE) == 2, log.since(mark3).trim());
        });

        // The certificate as TLS-terminating web servers forward it: URL-escaped (nginx
        // $ssl_client_escaped_cert) and folded onto one line (Apache SSL_CLIENT_CERT).
        final Flow escaped = tokenRequest(client, urlEscaped(tppPem), "authorization_code", SCOPES);
        final Flow folded = tokenRequest(client, tppPem.trim().replace("\r", "").replace("\n", " "), "authorization_code", SCOPES);
        scenario("token certificate URL-escaped (nginx) or folded onto one line (Apache): issued, bound to the same certificate", problems -> {
            for (Flow f : Arrays.asList(escaped, folded)) {
                String which = f == escaped ? "URL-escaped" : "one line";
                expect(problems, which + ": issued", f.refused == null && f.exception == null && f.accessToken != null && f.idToken != null, f);
                expect(problems, which + ": one call", f.decisionCalls == 1, f.decisionCalls);
                Object cnf = f.accessTokenClaims == null ? null : f.accessTokenClaims.getClaim("cnf");
                String expected = flow.accessToken == null ? null : flow.accessToken.getX5ts256();
                expect(problems, which + ": cnf x5t#S256 of the TPP's certificate", cnf instanceof JSONObject && expected != null
                        && !expected.isEmpty() && expected.equals(((JSONObject) cnf).opt("x5t#S256")), cnf + " vs " + expected);
            }
        });

        // (a) no certificate: the service denies (certificate-bound tokens; a tls_client_auth
        //     client without one is invalid_client): 401, nothing issued.
        final int markNoCert = log.length();
        final Flow noCertificate = tokenRequest(client, null, "authorization_code", SCOPES);
        scenario("token no certificate: refused 401 invalid_client, nothing issued", problems -> {
            expect(problems, "HTTP 401 invalid_client", noCertificate.status() == 401 && "invalid_client".equals(noCertificate.error()), noCertificate);
            expect(problems, "no access token, no refresh token, no id_token",
                    noCertificate.accessToken == null && noCertificate.refreshToken == null && noCertificate.idToken == null, noCertificate);
            expect(problems, "decided by the service: one call", noCertificate.decisionCalls == 1, noCertificate.decisionCalls);
            String said = log.since(markNoCert);
            expect(problems, "one decision, the service's deny", count(said, DECISION_LINE) == 1
                    && said.contains(DECISION_LINE + "refused, deny (HTTP 401 invalid_client)"), said.trim());
            expect(problems, "the same client with its certificate was issued", flow.refused == null && flow.accessToken != null, flow);
        });

        // (b) an auth method the script does not send: refused here, no call. Its twin is the
        //     allow above (tls_client_auth, exactly as registered).
        final Client misspelt = registeredClient();
        misspelt.setTokenEndpointAuthMethod("TLS_Client_Auth");
        final Flow byMisspelt = refusedHere(misspelt, tppPem, "authorization_code", SCOPES);
        scenario("token auth method TLS_Client_Auth: refused 401 invalid_client without a call; tls_client_auth allowed", problems -> {
            expectRefusedHere(problems, byMisspelt, 401, "invalid_client", "token_endpoint_auth_method 'TLS_Client_Auth' is not");
            expect(problems, "twin: tls_client_auth issued with one call", "tls_client_auth".equals(client.getTokenEndpointAuthMethod())
                    && flow.refused == null && flow.accessToken != null && flow.decisionCalls == 1, flow);
        });
        int callsBeforeAlone = decisionCalls();
        refusedAlone("token auth method TLS_Client_Auth", misspelt, 401, "invalid_client");
        final int callsAlone = decisionCalls() - callsBeforeAlone;
        scenario("token auth method TLS_Client_Auth: no hook alone calls the decision service", problems ->
                expect(problems, "no call", callsAlone == 0, callsAlone));

        // (c) a grant type outside the service's default allow-list: refused here, no call.
        final Flow byPassword = refusedHere(client, tppPem, "password", SCOPES);
        scenario("token grant password: refused 400 unsupported_grant_type without a call", problems -> {
            expectRefusedHere(problems, byPassword, 400, "unsupported_grant_type", "grant_type 'password' is not");
            expect(problems, "twin: authorization_code issued with one call", flow.refused == null && flow.accessToken != null && flow.decisionCalls == 1, flow);
        });

        // (d) a scope name with a character RFC 6749 section 3.3 does not allow: refused here, no call.
        final Flow byTab = refusedHere(client, tppPem, "authorization_code", Arrays.asList("openid", "accounts\tpayments"));
        scenario("token scope with a tab: refused 400 invalid_scope without a call", problems -> {
            expectRefusedHere(problems, byTab, 400, "invalid_scope", "scope 'accounts\\x09payments' is not");
            expect(problems, "twin: openid accounts payments issued with one call", flow.refused == null && flow.accessToken != null && flow.decisionCalls == 1, flow);
        });

        scenario("token allow: the log carries no certificate, intent id, claims or token", problems -> {
            String all = log.since(0);
            expect(problems, "no certificate", !all.contains(pemBody(tppPem).substring(64, 128)), "certificate text in the log");
            expect(problems, "no intent id (claims)", !all.contains(INTENT), "the intent id in the log");
            expect(problems, "no access token", flow.accessToken == null || !all.contains(flow.accessToken.getCode().substring(0, 40)), "token in the log");
        });
    }

    private void aisp() throws Exception {
        final Client client = registeredClient();
        final Flow flow = tokenRequest(client);
        scenario("token roles AISP: payments removed from the access token and the grant; still issued", problems -> {
            expect(problems, "issued", flow.refused == null && flow.accessToken != null, flow);
            expect(problems, "access token scope claim", flow.accessTokenClaims != null
                    && "[\"openid\",\"accounts\"]".equals(String.valueOf(flow.accessTokenClaims.getClaim("scope"))),
                    flow.accessTokenClaims == null ? null : flow.accessTokenClaims.getClaim("scope"));
            expect(problems, "grant scopes", Arrays.asList("openid", "accounts").equals(flow.grantScopes), flow.grantScopes);
            JSONObject id = flow.idTokenClaims();
            expect(problems, "id_token openbanking_intent_id", id != null && INTENT.equals(id.opt("openbanking_intent_id")), id);
        });
        scenario("token roles AISP: modifyAccessToken alone overwrites the JWT's scope claim and the grant (context.overwriteAccessTokenScopes)", problems -> {
            Request request = new Request(tppPem);
            AuthorizationCodeGrant grant = grant(client);
            ExecutionContext executionContext = new ExecutionContext(request, null);
            executionContext.setGrant(grant);
            executionContext.setClient(client);
            executionContext.setCertAsPem(tppPem);
            AccessToken accessToken = new AccessToken(60);
            JwtSigner signer = grant.createAccessTokenAsJwt(accessToken, executionContext);
            boolean ok = service.modifyAccessToken(accessToken, ExternalUpdateTokenContext.of(executionContext, signer));
            expect(problems, "modifyAccessToken returned true", ok, ok);
            expect(problems, "JWT scope claim", Arrays.asList("openid", "accounts").equals(signer.getJwt().getClaims().getClaim("scope")),
                    signer.getJwt().getClaims().getClaim("scope"));
            expect(problems, "grant scopes", Arrays.asList("openid", "accounts").equals(new ArrayList<>(grant.getScopes())), grant.getScopes());
        });
    }

    private void deny() throws Exception {
        final Client client = registeredClient();
        final int mark = log.length();
        final Flow flow = tokenRequest(client);
        scenario("token deny (software inactive): the token request is refused 403 access_denied, nothing issued", problems -> {
            expect(problems, "HTTP 403 access_denied", flow.status() == 403 && "access_denied".equals(flow.error()), flow);
            expect(problems, "no access token, no refresh token, no id_token", flow.accessToken == null && flow.refreshToken == null && flow.idToken == null, flow);
            expect(problems, "one decision", count(log.since(mark), DECISION_LINE) == 1, log.since(mark).trim());
        });
        refusedAlone("token deny", client, 403, "access_denied");
    }

    private void stopped() throws Exception {
        final Client client = registeredClient();
        final int mark = log.length();
        final Flow flow = tokenRequest(client);
        scenario("token service stopped (undecided): the token request is refused 503 temporarily_unavailable", problems -> {
            expect(problems, "HTTP 503 temporarily_unavailable", flow.status() == 503 && "temporarily_unavailable".equals(flow.error()), flow);
            expect(problems, "nothing issued", flow.accessToken == null && flow.refreshToken == null && flow.idToken == null, flow);
            String said = log.since(mark);
            expect(problems, "the log names the failure's exception class", said.contains("the token decision call failed: ")
                    && said.matches("(?s).*failed: [A-Za-z_.]*(Error|Exception).*"), said.trim());
        });
        refusedAlone("token service stopped", client, 503, "temporarily_unavailable");
        scenario("token service that accepts and never answers: 503 within the time limit (timeoutSeconds 1)", problems -> {
            try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 8, java.net.InetAddress.getByName("127.0.0.1"))) {
                Map<String, SimpleCustomProperty> attributes = new HashMap<>();
                attributes.put("ssaToolkitUrl", new SimpleCustomProperty("ssaToolkitUrl", "http://127.0.0.1:" + silent.getLocalPort()));
                attributes.put("timeoutSeconds", new SimpleCustomProperty("timeoutSeconds", "1"));
                script.init(customScript, attributes); // Janssen re-initializes a script whose properties changed
                int at = log.length();
                long started = System.nanoTime();
                Flow silentFlow = tokenRequest(client);
                double seconds = (System.nanoTime() - started) / 1e9;
                expect(problems, "HTTP 503 temporarily_unavailable", silentFlow.status() == 503 && "temporarily_unavailable".equals(silentFlow.error()), silentFlow);
                expect(problems, "one call, bounded: under 4 s for the whole request", seconds < 4.0, String.format("%.1f s", seconds));
                expect(problems, "the log says it timed out", log.since(at).contains("timed out"), log.since(at).trim());
            }
        });
        scenario("token: the log of every phase carries no certificate, intent id or claims", problems -> {
            String all = new String(Files.readAllBytes(Paths.get(require(args, "log"))), StandardCharsets.UTF_8);
            expect(problems, "no certificate", !all.contains(pemBody(tppPem).substring(64, 128)), "certificate text in the log");
            expect(problems, "no intent id", !all.contains(INTENT), "the intent id in the log");
            expect(problems, "no claims parameter", !all.contains("essential"), "claims in the log");
        });
    }

    /** The log since a refused-here request, kept with its Flow. */
    private final Map<Flow, String> refusedHereLog = new HashMap<>();

    /** A token request the script must refuse itself: the Flow, and what was logged meanwhile. */
    private Flow refusedHere(Client client, String clientCert, String grantType, List<String> scopes) {
        int mark = log.length();
        Flow flow = tokenRequest(client, clientCert, grantType, scopes);
        refusedHereLog.put(flow, log.since(mark));
        return flow;
    }

    private void expectRefusedHere(List<String> problems, Flow flow, int status, String error, String detail) {
        expect(problems, "HTTP " + status + " " + error, flow.status() == status && error.equals(flow.error()), flow);
        expect(problems, "no access token, no refresh token, no id_token", flow.accessToken == null && flow.refreshToken == null && flow.idToken == null, flow);
        expect(problems, "no call to the decision service", flow.decisionCalls == 0, flow.decisionCalls);
        String said = refusedHereLog.get(flow);
        expect(problems, "one log line: refused without a call", count(said, DECISION_LINE) == 1
                && said.contains(DECISION_LINE + "refused without a call, deny (HTTP " + status + " " + error + "): " + detail), said.trim());
    }

    /** A PEM URL-escaped as nginx's $ssl_client_escaped_cert: everything but A-Z a-z 0-9 - . _ ~ as %XX. */
    private static String urlEscaped(String pem) {
        StringBuilder out = new StringBuilder();
        for (byte b : pem.getBytes(StandardCharsets.US_ASCII)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append(String.format("%%%02X", (int) c));
            }
        }
        return out.toString();
    }

    /** modifyIdToken (through the processor Janssen builds) and every hook alone must RAISE. */
    private void refusedAlone(String prefix, Client client, int status, String error) {
        scenario(prefix + ": modifyIdToken refuses by raising " + status + " through Janssen's id_token processor, never returning false", problems -> {
            Request request = new Request(tppPem);
            AuthorizationCodeGrant grant = grant(client);
            ExternalUpdateTokenContext context = new ExternalUpdateTokenContext(request, grant, client, appConfiguration, attributeService);
            JsonWebResponse jwr = new JsonWebResponse();
            try {
                service.buildModifyIdTokenProcessor(context).apply(jwr);
                problems.add("the id_token processor returned normally (an id_token would be issued); claims " + jwr.getClaims().toJsonString());
            } catch (WebApplicationException e) {
                expect(problems, "HTTP " + status + " " + error, e.getResponse().getStatus() == status
                        && String.valueOf(e.getResponse().getEntity()).contains("\"" + error + "\""), e.getResponse().getEntity());
            }
            try {
                boolean result = script.modifyIdToken(new JsonWebResponse(), new ExternalUpdateTokenContext(new Request(tppPem), grant(client), client, appConfiguration, attributeService));
                problems.add("modifyIdToken called directly returned " + result + " instead of raising");
            } catch (WebApplicationException e) {
                expect(problems, "direct call: HTTP " + status, e.getResponse().getStatus() == status, e.getResponse().getStatus());
            }
        });
        scenario(prefix + ": each of the six hooks alone raises " + status + " " + error, problems -> {
            for (String hook : HOOKS) {
                Object result = hookAlone(hook, client);
                if (result instanceof WebApplicationException) {
                    WebApplicationException e = (WebApplicationException) result;
                    expect(problems, hook + ": HTTP " + status + " " + error, e.getResponse().getStatus() == status
                            && String.valueOf(e.getResponse().getEntity()).contains("\"" + error + "\""), e.getResponse().getEntity());
                } else {
                    problems.add(hook + " returned " + result + " instead of raising");
                }
            }
            expect(problems, "no script error saved by Janssen (the refusals are WebApplicationExceptions)", service.scriptErrors().isEmpty(), service.scriptErrors());
        });
    }

    // ------------------------------------------------------------------------------------ helpers

    interface Scenario {
        void run(List<String> problems) throws Exception;
    }

    private void scenario(String name, Scenario body) {
        List<String> problems = new ArrayList<>();
        try {
            body.run(problems);
        } catch (Exception | LinkageError e) {
            problems.add("the scenario threw " + e);
        }
        if (problems.isEmpty()) {
            passed++;
            System.out.println("PASS " + name);
        } else {
            fail(name, String.join("; ", problems));
        }
        System.out.flush();
    }

    private void fail(String scenario, String why) {
        failed++;
        System.out.println("FAIL " + scenario + ": " + why);
        System.out.flush();
    }

    private static void expect(List<String> problems, String what, boolean condition, Object got) {
        if (!condition) problems.add(what + " (got " + got + ")");
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    private static String pemBody(String pem) {
        return pem.replace("-----BEGIN CERTIFICATE-----", "").replace("-----END CERTIFICATE-----", "").replaceAll("\\s", "");
    }

    private static String require(Map<String, String> args, String name) {
        String value = args.get(name);
        if (value == null) throw new IllegalArgumentException("missing --" + name);
        return value;
    }
}
