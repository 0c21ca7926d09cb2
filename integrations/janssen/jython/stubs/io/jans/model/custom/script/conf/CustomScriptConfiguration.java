package io.jans.model.custom.script.conf;

import io.jans.model.SimpleCustomProperty;
import io.jans.model.custom.script.model.CustomScript;
import io.jans.model.custom.script.type.BaseExternalType;

import java.util.Map;

/** Stand-in for io.jans.model.custom.script.conf.CustomScriptConfiguration (jans-core). */
public class CustomScriptConfiguration {
    private final BaseExternalType externalType;
    private final CustomScript customScript;
    private final Map<String, SimpleCustomProperty> configurationAttributes;

    public CustomScriptConfiguration(BaseExternalType externalType, CustomScript customScript,
                                     Map<String, SimpleCustomProperty> configurationAttributes) {
        this.externalType = externalType;
        this.customScript = customScript;
        this.configurationAttributes = configurationAttributes;
    }

    public String getName() { return customScript.getName(); }
    public BaseExternalType getExternalType() { return externalType; }
    public CustomScript getCustomScript() { return customScript; }
    public Map<String, SimpleCustomProperty> getConfigurationAttributes() { return configurationAttributes; }
}
