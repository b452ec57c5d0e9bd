package dev.turnout.http;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an endpoint whose request body is read whole into memory (the inference endpoints): {@link WholeBodyLimits}
 * bounds it by the endpoint the router matched, so no spelling of the path (a trailing slash, a matrix parameter)
 * escapes the bound.
 */
@NameBinding
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface WholeBody {
}
