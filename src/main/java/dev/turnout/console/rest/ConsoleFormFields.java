package dev.turnout.console.rest;

import dev.turnout.error.ErrorCode;
import dev.turnout.registry.RegistryRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.core.multipart.FormData;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

import java.util.Optional;

/**
 * Every field of a console form is given at most once: a field given twice ({@code version=1&version=2}) is a 400
 * naming it, before any console code reads the form. The form parser keeps every value and an endpoint reads the
 * first, so the action would run on a value the sender may not have meant. Runs once the form is read
 * ({@link WithFormRead}), so after {@link ConsoleFormLimits} has bounded it by its headers.
 */
@ApplicationScoped
public class ConsoleFormFields {

    private final ErrorPages pages;

    public ConsoleFormFields(ErrorPages pages) {
        this.pages = pages;
    }

    @ServerRequestFilter
    @ConsoleForm
    @WithFormRead
    public Optional<Response> once(ResteasyReactiveContainerRequestContext request, HttpHeaders headers) {
        // the parsed form is only reachable on the framework's request context (the JAX-RS API has no form view)
        FormData form = ((ResteasyReactiveRequestContext) request.getServerRequestContext()).getFormData();
        if (form == null) {
            return Optional.empty(); // no body: each endpoint refuses its missing fields itself
        }
        for (String field : form) {
            if (form.get(field).size() > 1) {
                return Optional.of(pages.error(headers, 400, ErrorCode.INVALID_ARGUMENT.name(), "the form field '"
                        + RegistryRules.printable(field) + "' is given more than once; a console form gives each "
                        + "field once"));
            }
        }
        return Optional.empty();
    }
}
