package org.jboss.resteasy.spi;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** Stand-in for RESTEasy's NoLogWebApplicationException (what the script context creates). */
public class NoLogWebApplicationException extends WebApplicationException {
    private static final long serialVersionUID = 1L;

    public NoLogWebApplicationException(Response response) {
        super(response);
    }
}
