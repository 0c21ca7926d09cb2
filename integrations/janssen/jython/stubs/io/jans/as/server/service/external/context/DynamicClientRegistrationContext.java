package io.jans.as.server.service.external.context;

import io.jans.as.client.RegisterRequest;
import io.jans.as.common.model.registration.Client;
import io.jans.as.model.jwt.Jwt;
import io.jans.model.SimpleCustomProperty;
import io.jans.model.custom.script.conf.CustomScriptConfiguration;
import jakarta.servlet.http.HttpServletRequest;
import org.json.JSONObject;

import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;

/**
 * Stand-in for io.jans.as.server.service.external.context.DynamicClientRegistrationContext: the
 * same constructors, getters and setters. Left out: the error response factory and the
 * validate* helpers (Janssen's own SSA checks, which this script does not call).
 */
public class DynamicClientRegistrationContext extends ExternalScriptContext {
    private CustomScriptConfiguration script;
    private JSONObject registerRequestJson;
    private RegisterRequest registerRequest;
    private Jwt softwareStatement;
    private Jwt dcr;
    private Jwt evidence;
    private Client client;
    private X509Certificate certificate;

    public DynamicClientRegistrationContext(HttpServletRequest httpRequest, JSONObject registerRequest, CustomScriptConfiguration script) {
        this(httpRequest, registerRequest, script, null);
    }

    public DynamicClientRegistrationContext(HttpServletRequest httpRequest, JSONObject registerRequest, CustomScriptConfiguration script, Client client) {
        super(httpRequest);
        this.script = script;
        this.registerRequestJson = registerRequest;
        this.client = client;
    }

    public Jwt getEvidence() { return evidence; }
    public void setEvidence(Jwt evidence) { this.evidence = evidence; }
    public Jwt getDcr() { return dcr; }
    public void setDcr(Jwt dcr) { this.dcr = dcr; }
    public Jwt getSoftwareStatement() { return softwareStatement; }
    public void setSoftwareStatement(Jwt softwareStatement) { this.softwareStatement = softwareStatement; }
    public CustomScriptConfiguration getScript() { return script; }
    public void setScript(CustomScriptConfiguration script) { this.script = script; }
    public JSONObject getRegisterRequestJson() { return registerRequestJson; }
    public void setRegisterRequestJson(JSONObject registerRequestJson) { this.registerRequestJson = registerRequestJson; }
    public RegisterRequest getRegisterRequest() { return registerRequest; }
    public void setRegisterRequest(RegisterRequest registerRequest) { this.registerRequest = registerRequest; }
    public Client getClient() { return client; }
    public void setClient(Client client) { this.client = client; }
    public X509Certificate getCertificate() { return certificate; }
    public void setCertificate(X509Certificate certificate) { this.certificate = certificate; }

    public Map<String, SimpleCustomProperty> getConfigurationAttibutes() {
        Map<String, SimpleCustomProperty> attrs = script != null ? script.getConfigurationAttributes() : null;
        return attrs != null ? new HashMap<>(attrs) : new HashMap<>();
    }
}
