package io.jans.as.common.service;

/** Stand-in for io.jans.as.common.service.AttributeService (the script does not use it). */
public class AttributeService {
}
