package dev.turnout.http;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.ErrorMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses a query parameter the matched endpoint does not declare (400 naming it and the accepted ones), for every
 * endpoint at once: a misspelt {@code ?wiat=30s} or an unsupported {@code ?tags=} silently ignored looks like an answer
 * to the question asked, and is not. What an endpoint accepts is read from its method's {@code @RestQuery} and
 * {@code @QueryParam} parameters, so declaring a parameter is all it takes to accept it.
 */
@ApplicationScoped
public class DeclaredQueryParameters {

    private static final int MAX_NAME_SHOWN = 64;

    private final Map<Method, Set<String>> declared = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public Optional<Response> check(UriInfo uri, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null || uri.getQueryParameters().isEmpty()) {
            return Optional.empty();
        }
        Set<String> accepted = declared.computeIfAbsent(method, DeclaredQueryParameters::queryParameters);
        for (String name : uri.getQueryParameters().keySet()) {
            if (!accepted.contains(name)) {
                return Optional.of(ErrorMapper.respond(ErrorCode.INVALID_ARGUMENT, "unknown query parameter '"
                        + printable(name) + "'; accepted here: " + (accepted.isEmpty() ? "none" : String.join(", ", accepted))));
            }
        }
        return Optional.empty();
    }

    static Set<String> queryParameters(Method method) {
        Set<String> names = new TreeSet<>();
        for (Parameter parameter : method.getParameters()) {
            RestQuery rest = parameter.getAnnotation(RestQuery.class);
            if (rest != null) {
                names.add(rest.value().isEmpty() ? parameter.getName() : rest.value()); // compiled with -parameters
            }
            QueryParam query = parameter.getAnnotation(QueryParam.class);
            if (query != null) {
                names.add(query.value());
            }
        }
        return Collections.unmodifiableSet(names);
    }

    private static String printable(String name) {
        String shown = name.length() > MAX_NAME_SHOWN ? name.substring(0, MAX_NAME_SHOWN) + "..." : name;
        return shown.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
