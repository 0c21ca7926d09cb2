import io.jans.as.client.RegisterRequest;
import io.jans.as.common.model.common.User;
import io.jans.as.common.model.registration.Client;
import io.jans.as.common.service.AttributeService;
import io.jans.as.model.common.GrantType;
import io.jans.as.model.common.ResponseType;
import io.jans.as.model.configuration.AppConfiguration;
import io.jans.as.model.jwt.Jwt;
import io.jans.as.model.jwt.JwtClaims;
import io.jans.as.model.token.JsonWebResponse;
import io.jans.as.model.util.CertUtils;
import io.jans.as.persistence.model.Scope;
import io.jans.as.server.model.common.AccessToken;
import io.jans.as.server.model.common.AuthorizationCodeGrant;
import io.jans.as.server.model.common.ExecutionContext;
import io.jans.as.server.model.common.IdToken;
import io.jans.as.server.model.common.RefreshToken;
import io.jans.as.server.model.token.JwtSigner;
import io.jans.as.server.service.ScopeService;
import io.jans.as.server.service.external.ExternalUpdateTokenService;
import io.jans.as.server.service.external.context.DynamicClientRegistrationContext;
import io.jans.as.server.service.external.context.ExternalUpdateTokenContext;
import io.jans.model.SimpleCustomProperty;
import io.jans.model.custom.script.conf.CustomScriptConfiguration;
import io.jans.model.custom.script.model.CustomScript;
import io.jans.model.custom.script.type.client.ClientRegistrationType;
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
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Runs the Janssen scripts under Jython the way Janssen does and checks what their hooks really do:
 * client_registration.py in the registration mode, update_token.py in the token mode.
 *
 *   java ... HostBoot CLASSES JanssenHost registration --script client_registration.py --url URL
 *        --fixtures DIR --phase live|stopped --log FILE [--client-file FILE]
 *   java ... HostBoot CLASSES JanssenHost token --script update_token.py --url URL
 *        --fixtures DIR --phase allow|aisp|deny|stopped --log FILE --client-file FILE
 *
 * Loading follows io.jans.service.PythonService and the custom script manager, for either script:
 * PythonInterpreter initialized with python.import.site=false and UTF-8 console, execfile of the
 * script text, the script's class (ClientRegistration, UpdateToken) called with the time in
 * milliseconds, __tojava__(ClientRegistrationType / UpdateTokenType), init(customScript,
 * configurationAttributes) for API version 11 and above (properties as SimpleCustomProperty(name,
 * value), java.lang.String values), the script's print output sent to the log.
 *
 * Registration mode: each hook is called through the Java interface inside the try/catch of
 * ExternalDynamicClientRegistrationService (WebApplicationException passes through with its status
 * and entity; any other exception makes the hook's result false), with contexts built as
 * RegisterCreateAction and RegisterUpdateAction build them. --client-file: where the live phase
 * writes the client it registers for the token scenarios (client id = software id; the token mode
 * reads it back as Janssen would load the client entry).
 *
 * Token mode: the script is registered in the ExternalUpdateTokenService stand-in under its DN; a
 * client runs it only when it lists that DN in updateTokenScriptDns, which is what
 * client_registration.py wrote on the client registered in the registration mode's live phase
 * (read back from --client-file). A token request is played as
 * TokenRestWebServiceImpl.processAuthorizationCode plays it: TokenCreatorService.createRefreshToken
 * (getRefreshTokenLifetimeInSeconds through a context built with the execution context, then
 * AuthorizationGrant.saveRefreshToken's modifyRefreshToken), then createAccessToken
 * (getAccessTokenLifetimeInSeconds, modifyAccessToken with the JWT signer), then createIdToken
 * (getIdTokenLifetimeInSeconds, and modifyIdToken through the processor built on a context WITHOUT
 * the execution context): six hooks, five different context objects, one HttpServletRequest, one
 * grant. Every hook goes through the stand-in ExternalUpdateTokenService, whose try/catch is
 * Janssen's. Every token request sends the TPP's transport certificate (certs-fixtures
 * registration/tpp-transport.pem, the certificate the client was registered with) in
 * X-ClientCert, as a PEM block unless a scenario says otherwise (URL-escaped as nginx forwards it,
 * folded onto one line as Apache does, or none at all). The script's transport is wrapped by a
 * counter (_host_counting_transport, calling the script's own post_decision) so that a scenario can
 * assert how many calls reached the decision service: none for a request the script refuses
 * itself. Phases: allow (software active), aisp (the software's roles cut to AISP), deny (software
 * inactive), stopped (decision service stopped).
 *
 * Prints one line per scenario, "PASS name" or "FAIL name: why". Exit 0 when all passed.
 */
public abstract class JanssenHost {

    static final String SOFTWARE_ID = "4ZUKbHjbA2ZqxCxTsQPkTY";
    static final String ORG_ID = "0015800001041REAAY";
    /** The DN the Update Token script has in these tests (the token mode registers it under this DN). */
    static final String UPDATE_TOKEN_SCRIPT_DN = "inum=55A7-0C3E,ou=scripts,o=jans";

    final String mode;
    final Map<String, String> args;
    final Path fixtures;
    final LogCapture log;
    /** The interpreter the script runs in, and the script's object (set by loadScript). */
    PythonInterpreter interpreter;
    PyObject instance;
    private int passed;
    private int failed;

    JanssenHost(String mode, Map<String, String> args) throws IOException {
        this.mode = mode;
        this.args = args;
        this.fixtures = Paths.get(require(args, "fixtures"));
        this.log = new LogCapture(new File(require(args, "log")));
    }

    public static void main(String[] argv) throws Exception {
        String mode = argv.length > 0 ? argv[0] : "";
        if (!mode.equals("registration") && !mode.equals("token")) {
            throw new IllegalArgumentException("usage: JanssenHost registration|token --script FILE --url URL --fixtures DIR --phase P --log FILE [--client-file FILE]");
        }
        Map<String, String> args = new HashMap<>();
        for (int i = 1; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) throw new IllegalArgumentException("unexpected " + argv[i]);
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        // Never hang: the driver also caps the whole run, this ends the JVM itself first.
        long limit = Long.parseLong(args.getOrDefault("time-limit", "150"));
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limit * 1000);
                System.out.println("FAIL " + mode + " host time limit: still running after " + limit + " s");
                System.out.flush();
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException ignored) {
                // finished in time
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();

        JanssenHost host = mode.equals("registration") ? new Registration(args) : new Token(args);
        int status = host.run();
        System.out.flush();
        System.exit(status);
    }

    private int run() throws Exception {
        String phase = require(args, "phase");
        setUp();
        try {
            load(require(args, "script"), require(args, "url"));
        } catch (Exception e) {
            fail(loadScenario(phase), e.toString());
            return 1;
        }
        try {
            runPhase(phase);
        } catch (Exception e) {
            fail(mode + " phase " + phase, e.toString());
        }
        log.close();
        return failed == 0 ? 0 : 1;
    }

    /** What the script reaches through CdiUtil, and what every phase needs, before the script loads. */
    abstract void setUp() throws Exception;

    /** The name of the scenario that fails when the script does not load. */
    abstract String loadScenario(String phase);

    /** Loads the script (loadScript) and initializes it as Janssen does. */
    abstract void load(String scriptPath, String url) throws Exception;

    /** Runs the scenarios of one phase; an unknown phase throws. */
    abstract void runPhase(String phase) throws Exception;

    // ------------------------------------------------------------------------------------ loading

    /**
     * The script loaded Janssen's way: a PythonInterpreter initialized as PythonService does, the
     * script's print output to the log, execfile of the script, its class `className` called with
     * the time in milliseconds (kept in `instance`) and __tojava__(type).
     */
    <T> T loadScript(String scriptPath, String className, Class<T> type) throws Exception {
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
        PyObject pythonClass = interpreter.get(className);
        if (pythonClass == null) throw new IllegalStateException("the script defines no class " + className);
        instance = pythonClass.__call__(new PyObject[]{new PyLong(System.currentTimeMillis())});
        Object external = instance.__tojava__(type);
        if (!type.isInstance(external)) {
            String name = type.getSimpleName();
            throw new IllegalStateException(className + " is not " + ("AEIOU".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name);
        }
        return type.cast(external);
    }

    /** The CustomScript entry Janssen keeps for the script: its name and its source text. */
    static CustomScript customScript(String name, String scriptPath) throws IOException {
        return new CustomScript(name, new String(Files.readAllBytes(Paths.get(scriptPath)), StandardCharsets.UTF_8));
    }

    /** The script's configuration properties (name, value, name, value, ...) as Janssen hands them to init. */
    static Map<String, SimpleCustomProperty> properties(String... namesAndValues) {
        Map<String, SimpleCustomProperty> attributes = new HashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            attributes.put(namesAndValues[i], new SimpleCustomProperty(namesAndValues[i], namesAndValues[i + 1]));
        }
        return attributes;
    }

    // ------------------------------------------------------------------------------------ scenarios

    interface Scenario {
        void run(List<String> problems) throws Exception;
    }

    /** One scenario: PASS when it ran through with no problem; an exception is a FAIL, never a crash. */
    void scenario(String name, Scenario body) {
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

    void fail(String scenario, String why) {
        failed++;
        System.out.println("FAIL " + scenario + ": " + why);
        System.out.flush();
    }

    static void expect(List<String> problems, String what, boolean condition, Object got) {
        if (!condition) problems.add(what + " (got " + got + ")");
    }

    // ------------------------------------------------------------------------------------ shared helpers

    /** The HTTP request as the TLS-terminating proxy forwards it: X-ClientCert (null: none), parameters. */
    static final class Request implements HttpServletRequest {
        private final Map<String, String> headers = new HashMap<>();
        private final Map<String, String> parameters = new HashMap<>();
        private final Map<String, Object> attributes = new HashMap<>();

        /** A registration request: the certificate header, no parameter the script reads. */
        Request(String clientCert) {
            if (clientCert != null) headers.put("x-clientcert", clientCert);
        }

        /** A token request: grant_type (null: the request has none) and an authorization code. */
        static Request token(String clientCert, String grantType) {
            Request request = new Request(clientCert);
            if (grantType != null) request.parameters.put("grant_type", grantType);
            request.parameters.put("code", "c0de-" + System.nanoTime());
            return request;
        }

        @Override public String getHeader(String name) { return headers.get(name.toLowerCase()); }
        @Override public String getParameter(String name) { return parameters.get(name); }
        @Override public String getRemoteAddr() { return "127.0.0.1"; }
        @Override public Object getAttribute(String name) { return attributes.get(name); }
        @Override public void setAttribute(String name, Object value) { if (value == null) attributes.remove(name); else attributes.put(name, value); }
        @Override public void removeAttribute(String name) { attributes.remove(name); }
    }

    /** The script's print output: kept for the checks and written to the log file. */
    static final class LogCapture extends Writer {
        private final StringBuilder text = new StringBuilder();
        private final Writer file;

        LogCapture(File path) throws IOException {
            file = new OutputStreamWriter(new FileOutputStream(path, true), StandardCharsets.UTF_8);
        }

        @Override
        public synchronized void write(char[] buffer, int offset, int length) throws IOException {
            text.append(buffer, offset, length);
            file.write(buffer, offset, length);
            file.flush();
        }

        @Override
        public void flush() throws IOException {
            file.flush();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }

        synchronized int length() {
            return text.length();
        }

        synchronized String since(int mark) {
            return text.substring(mark);
        }
    }

    /**
     * The registered client as a properties file: the registration mode saves it, the token mode
     * loads it (loadClient) as Janssen loads the client entry.
     */
    static void saveClient(Client client, Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("clientId", client.getClientId());
        p.setProperty("dn", client.getDn());
        p.setProperty("softwareId", String.valueOf(client.getSoftwareId()));
        p.setProperty("organization", String.valueOf(client.getOrganization()));
        p.setProperty("tokenEndpointAuthMethod", String.valueOf(client.getTokenEndpointAuthMethod()));
        p.setProperty("tlsClientAuthSubjectDn", String.valueOf(client.getAttributes().getTlsClientAuthSubjectDn()));
        List<String> dns = client.getAttributes().getUpdateTokenScriptDns();
        for (int i = 0; i < dns.size(); i++) p.setProperty("updateTokenScriptDns." + i, dns.get(i));
        GrantType[] grants = client.getGrantTypes();
        for (int i = 0; grants != null && i < grants.length; i++) p.setProperty("grantTypes." + i, grants[i].getValue());
        try (Writer out = new OutputStreamWriter(new FileOutputStream(file.toFile()), StandardCharsets.UTF_8)) {
            p.store(out, "the client registered by client_registration.py (registration mode, live phase)");
        }
    }

    /** The client saveClient wrote. */
    static Client loadClient(Path file) throws IOException {
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
        return client;
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    static String pemBody(String pem) {
        return pem.replace("-----BEGIN CERTIFICATE-----", "").replace("-----END CERTIFICATE-----", "").replaceAll("\\s", "");
    }

    String fixture(String relative) throws IOException {
        return new String(Files.readAllBytes(fixtures.resolve(relative)), StandardCharsets.UTF_8);
    }

    static String require(Map<String, String> args, String name) {
        String value = args.get(name);
        if (value == null) throw new IllegalArgumentException("missing --" + name);
        return value;
    }

    // ==================================================================================== registration mode

    /** client_registration.py: createClient, updateClient and isCertValidForClient as Janssen calls them. */
    static final class Registration extends JanssenHost {
        static final String REDIRECT_URI = "https://acme-budget.example.com/callback";
        static final String CLIENTS_BASE = "ou=clients,o=jans";

        private final Store store = new Store();
        private final ScopeService scopes = new ScopeService();
        private ClientRegistrationType script;
        private CustomScriptConfiguration configuration;

        Registration(Map<String, String> args) throws IOException {
            super("registration", args);
        }

        @Override
        void setUp() {
            scopes.define("openid");
            scopes.define("accounts");
            scopes.define("payments");
            CdiUtil.register(ScopeService.class, scopes);
            CdiUtil.register(PersistenceEntryManager.class, store);
        }

        @Override
        String loadScenario(String phase) {
            return "load the script the way Janssen does";
        }

        @Override
        void load(String scriptPath, String url) throws Exception {
            script = loadScript(scriptPath, "ClientRegistration", ClientRegistrationType.class);
            Map<String, SimpleCustomProperty> attributes = properties("ssaToolkitUrl", new String(url), "timeoutSeconds", "10",
                    "updateTokenScriptDn", UPDATE_TOKEN_SCRIPT_DN);
            CustomScript customScript = customScript("ssa_toolkit_registration", scriptPath);
            configuration = new CustomScriptConfiguration(script, customScript, attributes);
            boolean initialized = script.getApiVersion() > 10 ? script.init(customScript, attributes) : script.init(attributes);
            if (!initialized) throw new IllegalStateException("init returned false");
        }

        @Override
        void runPhase(String phase) throws Exception {
            if (phase.equals("live")) {
                live();
            } else if (phase.equals("stopped")) {
                stopped();
            } else {
                throw new IllegalArgumentException("--phase live|stopped");
            }
        }

        // -------------------------------------------------------------------------------- scenarios

        private void live() throws Exception {
            final String tppPem = fixture("registration/tpp-transport.pem");
            final String otherPem = fixture("registration/tpp-other.pem");
            final String body = fixture("registration/request-plain.json");
            final String ssa = new JSONObject(body).optString("software_statement");
            final X509Certificate tppCertificate = CertUtils.x509CertificateFromPem(tppPem);
            final X509Certificate otherCertificate = CertUtils.x509CertificateFromPem(otherPem);
            final Client created = newClient("CREATED0001");

            // 1. create, the right TPP's certificate: accepted, and the client carries the decision.
            scenario("create accepted: true, redirect URIs, scopes, auth method, subject DN, grant and response types", problems -> {
                Outcome create = create(body, tppPem, created);
                expect(problems, "createClient returned true", create.returned == Boolean.TRUE, create);
                expect(problems, "redirect URIs", Arrays.asList(REDIRECT_URI).equals(list(created.getRedirectUris())), list(created.getRedirectUris()));
                expect(problems, "scopes", Arrays.asList(scopeDn("openid"), scopeDn("accounts"), scopeDn("payments")).equals(list(created.getScopes())), list(created.getScopes()));
                expect(problems, "token endpoint auth method", "tls_client_auth".equals(created.getTokenEndpointAuthMethod()), created.getTokenEndpointAuthMethod());
                String dn = created.getAttributes().getTlsClientAuthSubjectDn();
                expect(problems, "subject DN", dn != null && dn.contains("CN=" + SOFTWARE_ID) && dn.contains("PSDGB-FCA-123456"), dn);
                expect(problems, "grant types", Arrays.asList(GrantType.AUTHORIZATION_CODE, GrantType.CLIENT_CREDENTIALS, GrantType.REFRESH_TOKEN).equals(list(created.getGrantTypes())), list(created.getGrantTypes()));
                expect(problems, "response types", Arrays.asList(ResponseType.CODE, ResponseType.ID_TOKEN).equals(list(created.getResponseTypes())), list(created.getResponseTypes()));
                expect(problems, "software id", SOFTWARE_ID.equals(created.getSoftwareId()), created.getSoftwareId());
                expect(problems, "id token alg", "PS256".equals(created.getIdTokenSignedResponseAlg()), created.getIdTokenSignedResponseAlg());
                if (create.returned == Boolean.TRUE) store.persist(created);
            });

            // 1b. the client the token scenarios use (token mode): what the Update Token script needs
            //     is stored on it, and the script is attached (updateTokenScriptDn).
            scenario("register the token client: software_id and org_id stored, the Update Token script attached", problems -> {
                Client token = newClient(SOFTWARE_ID);
                Outcome create = create(body, tppPem, token);
                expect(problems, "createClient returned true", create.returned == Boolean.TRUE, create);
                expect(problems, "software id (jansSoftId)", SOFTWARE_ID.equals(token.getSoftwareId()), token.getSoftwareId());
                expect(problems, "org id (organization, \"o\")", ORG_ID.equals(token.getOrganization()), token.getOrganization());
                expect(problems, "updateTokenScriptDns", Arrays.asList(UPDATE_TOKEN_SCRIPT_DN).equals(token.getAttributes().getUpdateTokenScriptDns()),
                        token.getAttributes().getUpdateTokenScriptDns());
                if (create.returned == Boolean.TRUE) {
                    store.persist(token);
                    Client reloaded = store.find(Client.class, token.getDn());
                    expect(problems, "kept by the store", ORG_ID.equals(reloaded.getOrganization())
                            && reloaded.getAttributes().getUpdateTokenScriptDns().contains(UPDATE_TOKEN_SCRIPT_DN), reloaded.getOrganization());
                    if (args.containsKey("client-file")) saveClient(reloaded, Paths.get(args.get("client-file")));
                }
            });

            // 2. The DN the script registered, compared with the certificate the way Janssen's token
            //    endpoint does (MTLSService.processMTLS: CertUtils.equalsRdn(subjectDn,
            //    cert.getSubjectDN().getName())), and isCertValidForClient as MTLSService calls it.
            final String registeredDn = store.has(created.getDn())
                    ? store.find(Client.class, created.getDn()).getAttributes().getTlsClientAuthSubjectDn() : null;
            scenario("subject DN: the registered \"" + registeredDn + "\" matches the certificate as Janssen compares it", problems -> {
                String jdkName = tppCertificate.getSubjectDN().getName();
                expect(problems, "a DN was registered by an accepted create", registeredDn != null, registeredDn);
                expect(problems, "equalsRdn(registered, getSubjectDN().getName()=" + jdkName + ")", CertUtils.equalsRdn(registeredDn, jdkName), registeredDn);
                expect(problems, "another TPP's certificate does not match", !CertUtils.equalsRdn(registeredDn, otherCertificate.getSubjectDN().getName()), otherCertificate.getSubjectDN().getName());
                expect(problems, "the JDK's RFC 2253 spelling would match too", CertUtils.equalsRdn(tppCertificate.getSubjectX500Principal().getName(), jdkName), tppCertificate.getSubjectX500Principal().getName());
                if (store.has(created.getDn())) {
                    DynamicClientRegistrationContext mtls = new DynamicClientRegistrationContext(new Request(tppPem), new JSONObject(), null, store.find(Client.class, created.getDn()));
                    mtls.setScript(configuration);
                    expect(problems, "isCertValidForClient(this TPP's certificate)", isCertValid(tppCertificate, mtls), "false");
                    expect(problems, "isCertValidForClient(another TPP's certificate) is false", !isCertValid(otherCertificate, mtls), "true");
                }
            });

            // 3. update by the same software (raw JSON body, certificate only in X-ClientCert, here
            //    folded onto one line as Apache forwards it): accepted.
            scenario("update by the same software accepted", problems -> {
                Client registered = newClient("SAMESOFT001");
                registered.setSoftwareId(SOFTWARE_ID);
                store.persist(registered);
                Client existing = store.find(Client.class, registered.getDn());
                Outcome update = update(body, tppPem.replace("\n", " "), existing);
                expect(problems, "updateClient returned true", update.returned == Boolean.TRUE, update);
                expect(problems, "scopes written", existing.getScopes() != null && existing.getScopes().length == 3, list(existing.getScopes()));
            });

            // 4. update of a client registered for another software, with this software's SSA: refused.
            final Client foreign = newClient("FOREIGN0001");
            foreign.setSoftwareId("OtherSoftware0000001");
            store.persist(foreign);
            scenario("update for a different software refused: 400 invalid_software_statement", problems -> {
                Client existing = store.find(Client.class, foreign.getDn());
                Outcome takeover = update(body, tppPem, existing);
                expect(problems, "HTTP 400 invalid_software_statement", takeover.status == 400 && "invalid_software_statement".equals(takeover.error), takeover);
                expect(problems, "scopes not written", existing.getScopes() == null, list(existing.getScopes()));
            });

            // 5. the same, with software_id in the body: Janssen copies it onto the client before the
            //    script runs (updateClientFromRequestObject), so the script must not trust the client's.
            scenario("update naming software_id in the body cannot take over another software's client", problems -> {
                JSONObject named = new JSONObject(body);
                named.put("software_id", SOFTWARE_ID);
                Outcome renamed = update(named.toString(), tppPem, store.find(Client.class, foreign.getDn()));
                expect(problems, "HTTP 400 invalid_software_statement", renamed.status == 400 && "invalid_software_statement".equals(renamed.error), renamed);
            });

            // 6. create with another TPP's certificate: the service rejects, 400 invalid_client_metadata.
            scenario("create with another TPP's certificate refused: 400 invalid_client_metadata", problems -> {
                Client client = newClient("OTHERTPP001");
                Outcome other = create(body, otherPem, client);
                expect(problems, "HTTP 400 invalid_client_metadata", other.status == 400 && "invalid_client_metadata".equals(other.error), other);
                expect(problems, "scopes not written", client.getScopes() == null, list(client.getScopes()));
            });

            // 7. a failure inside the script (the scope store throws): 503, and the log says why.
            scenario("a failure in the script is 503 and the log carries the exception's message", problems -> {
                ScopeService broken = new ScopeService() {
                    @Override
                    public Scope getScopeById(String id) {
                        throw new IllegalStateException("scope store offline (test marker 7f3a)");
                    }
                };
                CdiUtil.register(ScopeService.class, broken);
                int mark = log.length();
                Outcome failing;
                try {
                    failing = create(body, tppPem, newClient("FAILING0001"));
                } finally {
                    CdiUtil.register(ScopeService.class, scopes);
                }
                String said = log.since(mark);
                expect(problems, "HTTP 503 temporarily_unavailable", failing.status == 503 && "temporarily_unavailable".equals(failing.error), failing);
                expect(problems, "the log carries the exception's message", said.contains("scope store offline (test marker 7f3a)"), said.trim());
            });

            // 8. nothing secret in the log, over every scenario above.
            scenario("the log carries no request, software statement or certificate", problems -> {
                String all = log.since(0);
                expect(problems, "no software statement", !all.contains(ssa.substring(0, 40)) && !all.contains(ssa.substring(ssa.length() - 40)), "SSA text in the log");
                expect(problems, "no certificate", !all.contains(pemBody(tppPem).substring(64, 128)) && !all.contains(pemBody(otherPem).substring(64, 128)), "certificate text in the log");
                expect(problems, "no request", !all.contains("acme-budget.example.com/callback"), "request metadata in the log");
                expect(problems, "the script logged", all.contains("ssa-toolkit registration:"), "no log line at all");
            });
        }

        private void stopped() throws Exception {
            final String tppPem = fixture("registration/tpp-transport.pem");
            final String body = fixture("registration/request-plain.json");
            scenario("decision service stopped: create refused with 503 temporarily_unavailable", problems -> {
                Client client = newClient("STOPPED0001");
                Outcome create = create(body, tppPem, client);
                expect(problems, "HTTP 503 temporarily_unavailable", create.status == 503 && "temporarily_unavailable".equals(create.error), create);
                expect(problems, "client untouched by the script", client.getScopes() == null && client.getGrantTypes() == null, list(client.getScopes()));
            });
        }

        // -------------------------------------------------------------------------------- Janssen's calls

        /** RegisterCreateAction.createClient + ExternalDynamicClientRegistrationService.executeExternalCreateClientMethod. */
        private Outcome create(String requestParams, String certificateHeader, Client client) throws Exception {
            JSONObject requestObject = new JSONObject(requestParams); // a JSON body (parseRequestObjectWithoutValidation)
            JSONObject softwareStatement = claims(requestObject.optString("software_statement"));
            for (String key : softwareStatement.keySet()) { // overrideRequestObjectFromSoftwareStatement
                requestObject.putOpt(key, softwareStatement.get(key));
            }
            RegisterRequest r = RegisterRequest.fromJson(requestObject);
            updateClientFromRequestObject(client, r);

            Request httpRequest = new Request(certificateHeader);
            DynamicClientRegistrationContext context = new DynamicClientRegistrationContext(httpRequest, null, configuration, client);
            context.setRegisterRequest(r);
            context.setSoftwareStatement(Jwt.parseSilently(r.getSoftwareStatement()));
            context.setEvidence(Jwt.parseSilently(r.getEvidence()));
            String clientCertAsPem = httpRequest.getHeader("X-ClientCert");
            if (clientCertAsPem != null && !clientCertAsPem.trim().isEmpty()) {
                context.setCertificate(CertUtils.x509CertificateFromPem(clientCertAsPem));
            }
            return Outcome.of(context, () -> script.createClient(context));
        }

        /** RegisterUpdateAction.updateClient + ExternalDynamicClientRegistrationService.executeExternalUpdateClientMethod. */
        private Outcome update(String requestParams, String certificateHeader, Client client) throws Exception {
            RegisterRequest request = RegisterRequest.fromJson(requestParams); // the raw body: no SSA claims merged
            updateClientFromRequestObject(client, request);
            DynamicClientRegistrationContext context = new DynamicClientRegistrationContext(new Request(certificateHeader), null, configuration, client);
            context.setRegisterRequest(request);
            context.setSoftwareStatement(Jwt.parseSilently(request.getSoftwareStatement()));
            context.setEvidence(Jwt.parseSilently(request.getEvidence()));
            // no setCertificate: Janssen's update path does not parse X-ClientCert
            return Outcome.of(context, () -> script.updateClient(context));
        }

        /** The part of RegisterService.updateClientFromRequestObject that matters here: it runs before the script. */
        private static void updateClientFromRequestObject(Client client, RegisterRequest request) {
            if (!request.getRedirectUris().isEmpty()) client.setRedirectUris(request.getRedirectUris().toArray(new String[0]));
            if (request.getTlsClientAuthSubjectDn() != null) client.getAttributes().setTlsClientAuthSubjectDn(request.getTlsClientAuthSubjectDn());
            if (request.getSoftwareId() != null) client.setSoftwareId(request.getSoftwareId());
            if (request.getSoftwareStatement() != null) client.setSoftwareStatement(request.getSoftwareStatement());
        }

        private boolean isCertValid(X509Certificate certificate, DynamicClientRegistrationContext context) {
            try {
                boolean result = script.isCertValidForClient(certificate, context);
                context.throwWebApplicationExceptionIfSet();
                return result;
            } catch (Exception e) {
                return false;
            }
        }

        // -------------------------------------------------------------------------------- helpers

        static final class Outcome {
            Boolean returned;
            int status;
            String entity;
            String error;
            String exception;

            /** A script call of Janssen's registration action: its return value, the error it set on the context, or what it threw. */
            interface Call {
                boolean run() throws Exception;
            }

            static Outcome of(DynamicClientRegistrationContext context, Call call) {
                try {
                    boolean result = call.run();
                    context.throwWebApplicationExceptionIfSet();
                    return returned(result);
                } catch (WebApplicationException e) {
                    return raised(e);
                } catch (Exception e) {
                    return failed(e);
                }
            }

            static Outcome returned(boolean value) {
                Outcome o = new Outcome();
                o.returned = value;
                return o;
            }

            static Outcome raised(WebApplicationException e) {
                Outcome o = new Outcome();
                o.status = e.getResponse().getStatus();
                o.entity = String.valueOf(e.getResponse().getEntity());
                try {
                    o.error = new JSONObject(o.entity).optString("error");
                } catch (RuntimeException notJson) {
                    o.error = null;
                }
                return o;
            }

            static Outcome failed(Exception e) {
                Outcome o = new Outcome();
                o.returned = Boolean.FALSE; // Janssen logs it and takes false
                o.exception = e.toString();
                return o;
            }

            @Override
            public String toString() {
                if (exception != null) return "exception " + exception.split("\n")[0];
                if (returned != null) return "returned " + returned;
                return "HTTP " + status + " " + entity;
            }
        }

        /** The persisted clients (PersistenceEntryManager.find gives a fresh copy, as a reload does). */
        static final class Store implements PersistenceEntryManager {
            private final Map<String, Client> entries = new LinkedHashMap<>();

            void persist(Client client) {
                entries.put(client.getDn(), copy(client));
            }

            boolean has(String dn) {
                return entries.containsKey(dn);
            }

            @Override
            public <T> T find(Class<T> entryClass, Object primaryKey) {
                Client client = entries.get(String.valueOf(primaryKey));
                if (client == null) throw new IllegalStateException("no entry " + primaryKey);
                return entryClass.cast(copy(client));
            }

            private static Client copy(Client c) {
                Client o = new Client();
                o.setDn(c.getDn());
                o.setClientId(c.getClientId());
                o.setRedirectUris(c.getRedirectUris());
                o.setScopes(c.getScopes());
                o.setGrantTypes(c.getGrantTypes());
                o.setResponseTypes(c.getResponseTypes());
                o.setTokenEndpointAuthMethod(c.getTokenEndpointAuthMethod());
                o.getAttributes().setTlsClientAuthSubjectDn(c.getAttributes().getTlsClientAuthSubjectDn());
                o.setSoftwareId(c.getSoftwareId());
                o.setSoftwareStatement(c.getSoftwareStatement());
                o.setClientName(c.getClientName());
                o.setJwksUri(c.getJwksUri());
                o.setIdTokenSignedResponseAlg(c.getIdTokenSignedResponseAlg());
                o.setOrganization(c.getOrganization());
                o.getAttributes().setUpdateTokenScriptDns(new ArrayList<>(c.getAttributes().getUpdateTokenScriptDns()));
                return o;
            }
        }

        private static Client newClient(String inum) {
            Client client = new Client();
            client.setClientId(inum);
            client.setDn("inum=" + inum + "," + CLIENTS_BASE);
            return client;
        }

        private static String scopeDn(String id) {
            return "inum=" + id.toUpperCase() + ",ou=scopes,o=jans";
        }

        private static JSONObject claims(String jwt) {
            String[] parts = jwt.split("\\.");
            return new JSONObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        }

        private static <T> List<T> list(T[] values) {
            return values == null ? null : Arrays.asList(values);
        }
    }

    // ==================================================================================== token mode

    /** update_token.py: token requests played through Janssen's token endpoint and its six hooks. */
    static final class Token extends JanssenHost {
        static final String INTENT = "urn-alphabank-intent-58923";
        static final String CLAIMS = "{\"id_token\":{\"openbanking_intent_id\":{\"value\":\"" + INTENT + "\",\"essential\":true}}}";
        static final List<String> SCOPES = Arrays.asList("openid", "accounts", "payments");
        static final List<String> HOOKS = Arrays.asList("getRefreshTokenLifetimeInSeconds", "modifyRefreshToken",
                "getAccessTokenLifetimeInSeconds", "modifyAccessToken", "getIdTokenLifetimeInSeconds", "modifyIdToken");
        static final String DECISION_LINE = "ssa-toolkit token: client " + SOFTWARE_ID + ": ";

        private final ExternalUpdateTokenService service = new ExternalUpdateTokenService();
        private final AppConfiguration appConfiguration = new AppConfiguration();
        private final AttributeService attributeService = new AttributeService();
        private UpdateTokenType script;
        private CustomScript customScript;
        private String tppPem;

        Token(Map<String, String> args) throws IOException {
            super("token", args);
        }

        @Override
        void setUp() throws IOException {
            appConfiguration.setAccessTokenLifetime(3600);
            appConfiguration.setIdTokenLifetime(3600);
            appConfiguration.setRefreshTokenLifetime(14400);
            CdiUtil.register(AppConfiguration.class, appConfiguration);
            CdiUtil.register(ExternalUpdateTokenService.class, service);
            CdiUtil.register(PersistenceEntryManager.class, null);
            tppPem = fixture("registration/tpp-transport.pem");
        }

        @Override
        String loadScenario(String phase) {
            return "load the Update Token script the way Janssen does (" + phase + ")";
        }

        @Override
        void load(String scriptPath, String url) throws Exception {
            script = loadScript(scriptPath, "UpdateToken", UpdateTokenType.class);
            // Counts the calls that reach the decision service; the call itself is the script's own.
            interpreter.exec("_host_decision_calls = [0]\n"
                    + "def _host_counting_transport(url, call, timeout, bearer=None):\n"
                    + "    _host_decision_calls[0] += 1\n"
                    + "    return post_decision(url, call, timeout, bearer)\n");
            instance.__setattr__("transport", interpreter.get("_host_counting_transport"));

            Map<String, SimpleCustomProperty> attributes = properties("ssaToolkitUrl", new String(url), "timeoutSeconds", "2");
            customScript = customScript("ssa_toolkit_update_token", scriptPath);
            customScript.setDn(UPDATE_TOKEN_SCRIPT_DN);
            if (script.getApiVersion() != 11) throw new IllegalStateException("getApiVersion() is " + script.getApiVersion() + ", not 11");
            if (!script.init(customScript, attributes)) throw new IllegalStateException("init returned false");
            service.register(new CustomScriptConfiguration(script, customScript, attributes));
        }

        @Override
        void runPhase(String phase) throws Exception {
            switch (phase) {
                case "allow": allow(); break;
                case "aisp": aisp(); break;
                case "deny": deny(); break;
                case "stopped": stopped(); break;
                default: throw new IllegalArgumentException("--phase allow|aisp|deny|stopped");
            }
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

        /** The client entry client_registration.py wrote (registration mode, live phase), as Janssen loads it. */
        private Client registeredClient() throws IOException {
            Path file = Paths.get(require(args, "client-file"));
            if (!Files.exists(file)) {
                throw new IllegalStateException("no registered client: the registration phase did not register " + SOFTWARE_ID);
            }
            Client client = loadClient(file);
            client.setAccessTokenAsJwt(true); // an administrator's choice (jansAccessTknAsJwt); Open Banking resource servers read JWTs
            return client;
        }

        // -------------------------------------------------------------------------------- Janssen's token endpoint

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
            Request request = Request.token(clientCert, grantType);
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
            Request request = Request.token(tppPem, "authorization_code");
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

        // -------------------------------------------------------------------------------- scenarios

        private void allow() throws Exception {
            final Client client = registeredClient();
            scenario("token allow: the registered client runs the Update Token script (software_id, org_id and script DN from registration)", problems -> {
                expect(problems, "software id", SOFTWARE_ID.equals(client.getSoftwareId()), client.getSoftwareId());
                expect(problems, "org id (organization)", ORG_ID.equals(client.getOrganization()), client.getOrganization());
                expect(problems, "updateTokenScriptDns", client.getAttributes().getUpdateTokenScriptDns().contains(UPDATE_TOKEN_SCRIPT_DN),
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

            // A CDR client: the script sends the stored SSA's legal_entity_id and scope (as
            // legal_entity_id and ssa_scope). The service refuses a member it does not know with
            // 400; it knows these, so the call is decided (denied 403: this service trusts no CDR
            // Register) rather than refused as malformed.
            final Client cdr = registeredClient();
            cdr.setSoftwareStatement(unsignedJwt("{\"iss\":\"cdr-register\",\"software_id\":\"" + SOFTWARE_ID
                    + "\",\"legal_entity_id\":\"8e5f2d1c-1111-4111-8111-111111111111\",\"scope\":\"openid bank:accounts.basic:read\"}"));
            final int mark4 = log.length();
            final Flow fromCDR = tokenRequest(cdr);
            scenario("token legal_entity_id and ssa_scope from a stored CDR SSA: members the service knows (403 for an untrusted Register, never 400)", problems -> {
                expect(problems, "HTTP 403 access_denied", fromCDR.status() == 403 && "access_denied".equals(fromCDR.error()), fromCDR);
                expect(problems, "nothing issued", fromCDR.accessToken == null && fromCDR.idToken == null, fromCDR);
                expect(problems, "one decision", count(log.since(mark4), DECISION_LINE) == 1, log.since(mark4).trim());
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
                Request request = Request.token(tppPem, "authorization_code");
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
                    Map<String, SimpleCustomProperty> attributes = properties("ssaToolkitUrl", "http://127.0.0.1:" + silent.getLocalPort(),
                            "timeoutSeconds", "1");
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
                Request request = Request.token(tppPem, "authorization_code");
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
                    boolean result = script.modifyIdToken(new JsonWebResponse(), new ExternalUpdateTokenContext(Request.token(tppPem, "authorization_code"), grant(client), client, appConfiguration, attributeService));
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
    }
}
