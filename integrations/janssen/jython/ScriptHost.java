import io.jans.as.client.RegisterRequest;
import io.jans.as.common.model.registration.Client;
import io.jans.as.model.common.GrantType;
import io.jans.as.model.common.ResponseType;
import io.jans.as.model.jwt.Jwt;
import io.jans.as.model.util.CertUtils;
import io.jans.as.persistence.model.Scope;
import io.jans.as.server.service.ScopeService;
import io.jans.as.server.service.external.context.DynamicClientRegistrationContext;
import io.jans.model.SimpleCustomProperty;
import io.jans.model.custom.script.conf.CustomScriptConfiguration;
import io.jans.model.custom.script.model.CustomScript;
import io.jans.model.custom.script.type.client.ClientRegistrationType;
import io.jans.orm.PersistenceEntryManager;
import io.jans.service.cdi.util.CdiUtil;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import org.json.JSONObject;
import org.python.core.PyLong;
import org.python.core.PyObject;
import org.python.util.PythonInterpreter;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Runs client_registration.py under Jython the way Janssen does and checks what its hooks really do.
 *
 * Loading follows io.jans.service.PythonService and the custom script manager: PythonInterpreter
 * initialized with python.import.site=false and UTF-8 console, execfile of the script text, the
 * class ClientRegistration called with the time in milliseconds, __tojava__(ClientRegistrationType),
 * init(customScript, configurationAttributes) for API version 11 and above (properties as
 * SimpleCustomProperty(name, value), java.lang.String values), the script's print output sent to
 * the log. Each hook is then called through the Java interface inside the try/catch of
 * ExternalDynamicClientRegistrationService (WebApplicationException passes through with its
 * status and entity; any other exception makes the hook's result false), with contexts built as
 * RegisterCreateAction and RegisterUpdateAction build them.
 *
 *   java -cp jython.jar:bcprov.jar:CLASSES ScriptHost --script FILE --url URL --fixtures DIR
 *        --phase live|stopped --log FILE [--client-file FILE]
 *
 * --client-file: where the live phase writes the client it registers for the token scenarios
 * (client id = software id; TokenHost reads it back as Janssen would load the client entry).
 *
 * Prints one line per scenario, "PASS name" or "FAIL name: why". Exit 0 when all passed.
 */
public final class ScriptHost {

    static final String SOFTWARE_ID = "4ZUKbHjbA2ZqxCxTsQPkTY";
    static final String ORG_ID = "0015800001041REAAY";
    /** The DN the Update Token script has in these tests (TokenHost registers it under this DN). */
    static final String UPDATE_TOKEN_SCRIPT_DN = "inum=55A7-0C3E,ou=scripts,o=jans";
    static final String REDIRECT_URI = "https://acme-budget.example.com/callback";
    static final String CLIENTS_BASE = "ou=clients,o=jans";

    private final Map<String, String> args;
    private final Path fixtures;
    private final LogCapture log;
    private final Store store = new Store();
    private final ScopeService scopes = new ScopeService();
    private ClientRegistrationType script;
    private CustomScriptConfiguration configuration;
    private int passed;
    private int failed;

    private ScriptHost(Map<String, String> args) throws IOException {
        this.args = args;
        this.fixtures = Paths.get(require(args, "fixtures"));
        this.log = new LogCapture(new File(require(args, "log")));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) throw new IllegalArgumentException("unexpected " + argv[i]);
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        // Never hang: the driver also caps the whole run, this ends the JVM itself first.
        long limit = Long.parseLong(args.getOrDefault("time-limit", "150"));
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limit * 1000);
                System.out.println("FAIL host time limit: still running after " + limit + " s");
                System.out.flush();
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException ignored) {
                // finished in time
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();

        ScriptHost host = new ScriptHost(args);
        int status = host.run();
        System.out.flush();
        System.exit(status);
    }

    private int run() throws Exception {
        scopes.define("openid");
        scopes.define("accounts");
        scopes.define("payments");
        CdiUtil.register(ScopeService.class, scopes);
        CdiUtil.register(PersistenceEntryManager.class, store);
        try {
            load(require(args, "script"), require(args, "url"));
        } catch (Exception e) {
            fail("load the script the way Janssen does", e.toString());
            return 1;
        }
        String phase = require(args, "phase");
        if (phase.equals("live")) {
            live();
        } else if (phase.equals("stopped")) {
            stopped();
        } else {
            throw new IllegalArgumentException("--phase live|stopped");
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
        PythonInterpreter interpreter = PythonInterpreter.threadLocalStateInterpreter(null);
        interpreter.setOut(log);
        interpreter.setErr(log);
        try (InputStream in = new FileInputStream(scriptPath)) {
            interpreter.execfile(in, new File(scriptPath).getName());
        }
        PyObject type = interpreter.get("ClientRegistration");
        if (type == null) throw new IllegalStateException("the script defines no class ClientRegistration");
        PyObject instance = type.__call__(new PyObject[]{new PyLong(System.currentTimeMillis())});
        Object external = instance.__tojava__(ClientRegistrationType.class);
        if (!(external instanceof ClientRegistrationType)) {
            throw new IllegalStateException("ClientRegistration is not a ClientRegistrationType");
        }
        script = (ClientRegistrationType) external;

        Map<String, SimpleCustomProperty> attributes = new HashMap<>();
        attributes.put("ssaToolkitUrl", new SimpleCustomProperty("ssaToolkitUrl", new String(url)));
        attributes.put("timeoutSeconds", new SimpleCustomProperty("timeoutSeconds", "10"));
        attributes.put("updateTokenScriptDn", new SimpleCustomProperty("updateTokenScriptDn", UPDATE_TOKEN_SCRIPT_DN));
        CustomScript customScript = new CustomScript("ssa_toolkit_registration", new String(Files.readAllBytes(Paths.get(scriptPath)), StandardCharsets.UTF_8));
        configuration = new CustomScriptConfiguration(script, customScript, attributes);
        boolean initialized = script.getApiVersion() > 10 ? script.init(customScript, attributes) : script.init(attributes);
        if (!initialized) throw new IllegalStateException("init returned false");
    }

    // ------------------------------------------------------------------------------------ scenarios

    interface Scenario {
        void run(List<String> problems) throws Exception;
    }

    /** One scenario: PASS when it ran through with no problem; an exception is a FAIL, never a crash. */
    private void scenario(String name, Scenario body) {
        List<String> problems = new ArrayList<>();
        try {
            body.run(problems);
        } catch (Exception | LinkageError e) {
            problems.add("the scenario threw " + e);
        }
        report(name, problems);
    }

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

        // 1b. the client the token scenarios use (TokenHost): what the Update Token script needs
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

    // ------------------------------------------------------------------------------------ Janssen's calls

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
        try {
            boolean result = script.createClient(context);
            context.throwWebApplicationExceptionIfSet();
            return Outcome.returned(result);
        } catch (WebApplicationException e) {
            return Outcome.raised(e);
        } catch (Exception e) {
            return Outcome.failed(e);
        }
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
        try {
            boolean result = script.updateClient(context);
            context.throwWebApplicationExceptionIfSet();
            return Outcome.returned(result);
        } catch (WebApplicationException e) {
            return Outcome.raised(e);
        } catch (Exception e) {
            return Outcome.failed(e);
        }
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

    // ------------------------------------------------------------------------------------ helpers

    static final class Outcome {
        Boolean returned;
        int status;
        String entity;
        String error;
        String exception;

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

    /** The HTTP request as the TLS-terminating proxy forwards it. */
    static final class Request implements HttpServletRequest {
        private final String clientCert;
        private final Map<String, Object> attributes = new HashMap<>();

        Request(String clientCert) {
            this.clientCert = clientCert;
        }

        @Override
        public Object getAttribute(String name) {
            return attributes.get(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            if (value == null) attributes.remove(name); else attributes.put(name, value);
        }

        @Override
        public void removeAttribute(String name) {
            attributes.remove(name);
        }

        @Override
        public String getHeader(String name) {
            return "X-ClientCert".equalsIgnoreCase(name) ? clientCert : null;
        }

        @Override
        public String getParameter(String name) {
            return null;
        }

        @Override
        public String getRemoteAddr() {
            return "127.0.0.1";
        }
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

    /** The registered client as a properties file (what TokenHost loads as the client entry). */
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
            p.store(out, "the client registered by client_registration.py (ScriptHost live phase)");
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

    private static String pemBody(String pem) {
        return pem.replace("-----BEGIN CERTIFICATE-----", "").replace("-----END CERTIFICATE-----", "").replaceAll("\\s", "");
    }

    private static <T> List<T> list(T[] values) {
        return values == null ? null : Arrays.asList(values);
    }

    private String fixture(String relative) throws IOException {
        return new String(Files.readAllBytes(fixtures.resolve(relative)), StandardCharsets.UTF_8);
    }

    private static String require(Map<String, String> args, String name) {
        String value = args.get(name);
        if (value == null) throw new IllegalArgumentException("missing --" + name);
        return value;
    }

    private static void expect(List<String> problems, String what, boolean condition, Object got) {
        if (!condition) problems.add(what + " (got " + got + ")");
    }

    private void report(String scenario, List<String> problems) {
        if (problems.isEmpty()) {
            passed++;
            System.out.println("PASS " + scenario);
        } else {
            fail(scenario, String.join("; ", problems));
        }
        System.out.flush();
    }

    private void fail(String scenario, String why) {
        failed++;
        System.out.println("FAIL " + scenario + ": " + why);
        System.out.flush();
    }
}
