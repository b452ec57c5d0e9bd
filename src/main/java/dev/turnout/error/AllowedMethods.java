package dev.turnout.error;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The methods each path of the API takes, for the Allow header of a 405 (the framework's refusal names none). Read
 * once from the resource classes' annotations, so it cannot drift from them.
 */
@ApplicationScoped
public class AllowedMethods {

    /** {name} or {name: regex} (a regex without braces, as the API's own are). */
    private static final Pattern TEMPLATE_PARAMETER = Pattern.compile("\\{\\s*[^}:\\s]+\\s*(?::\\s*([^}]*))?}");

    private record Route(Pattern path, String method) {
    }

    private final List<Route> routes = new ArrayList<>();

    AllowedMethods(BeanManager beans) {
        for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
            Path root = bean.getBeanClass().getAnnotation(Path.class);
            if (root == null) {
                continue;
            }
            for (Method method : bean.getBeanClass().getMethods()) {
                String verb = verb(method);
                if (verb != null) {
                    Path sub = method.getAnnotation(Path.class);
                    routes.add(new Route(pattern(root.value() + (sub == null ? "" : "/" + sub.value())), verb));
                }
            }
        }
    }

    /**
     * The methods {@code path} (as sent: escapes and matrix parameters in it) takes, sorted and comma-separated
     * ("GET, POST"); empty when no route matches. The path is read as the router reads it: each segment without its
     * matrix parameters, then decoded.
     */
    public String of(String path) {
        path = asRouted(path);
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        Set<String> methods = new TreeSet<>();
        for (Route route : routes) {
            if (route.path().matcher(trimmed).matches()) {
                methods.add(route.method());
            }
        }
        return String.join(", ", methods);
    }

    private static String asRouted(String raw) {
        StringJoiner path = new StringJoiner("/");
        for (String segment : raw.split("/", -1)) {
            int matrix = segment.indexOf(';');
            path.add(matrix < 0 ? segment : segment.substring(0, matrix));
        }
        try {
            return URI.create("http://h" + path).getPath(); // with its escapes decoded
        } catch (IllegalArgumentException e) {
            return path.toString(); // not a path the router would have decoded either
        }
    }

    private static String verb(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod verb = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    /**
     * A path template as a pattern: each {parameter} one segment, or what its own regex matches (the console's pages
     * take several), slashes collapsed, no trailing slash.
     */
    private static Pattern pattern(String template) {
        String path = ("/" + template).replaceAll("/+", "/");
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        StringBuilder regex = new StringBuilder();
        int last = 0;
        var parameters = TEMPLATE_PARAMETER.matcher(path);
        while (parameters.find()) {
            String own = parameters.group(1);
            regex.append(Pattern.quote(path.substring(last, parameters.start())))
                    .append(own == null ? "[^/]+" : "(?:" + own.trim() + ")");
            last = parameters.end();
        }
        return Pattern.compile(regex.append(Pattern.quote(path.substring(last))).toString());
    }
}
