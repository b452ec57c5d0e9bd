package dev.turnout;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages depend one way: console → delivery → rollout → serving → registry → engine, each floor readable and testable
 * without the ones above it; events (the outbox and its webhook delivery) sits below registry and rollout, which both
 * write to it; error, http, security, config, db, datadir, apidoc and storage (artifact blobs) are shared below them.
 * No cycles between packages.
 */
class ArchitectureTest {

    private static final String BASE = "dev.turnout.";
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.turnout");
    }

    @Test
    void theEngineKnowsNothingAboveIt() {
        noClasses().that().resideInAPackage(BASE + "engine..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + "registry..", BASE + "serving..",
                        BASE + "rollout..", BASE + "events..", BASE + "http..", BASE + "error..", BASE + "security..",
                        BASE + "db..", BASE + "storage..")
                .because("the engine loads and runs models: no HTTP, no database, no registry")
                .check(classes);
    }

    @Test
    void theRegistryKnowsNeitherServingNorRollout() {
        noClasses().that().resideInAPackage(BASE + "registry..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + "serving..", BASE + "rollout..")
                .check(classes);
    }

    @Test
    void servingKnowsNothingOfRollout() {
        noClasses().that().resideInAPackage(BASE + "serving..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + "rollout..", BASE + "delivery..")
                .check(classes);
    }

    @Test
    void onlyTheConsoleKnowsDelivery() {
        noClasses().that().resideOutsideOfPackages(BASE + "delivery..", BASE + "console..")
                .should().dependOnClassesThat().resideInAPackage(BASE + "delivery..")
                .because("progressive delivery sits above rollout: it sets serving's TrafficSplit and flips through "
                        + "rollout, neither of which knows it")
                .check(classes);
    }

    @Test
    void nothingKnowsTheConsole() {
        noClasses().that().resideOutsideOfPackage(BASE + "console..")
                .should().dependOnClassesThat().resideInAPackage(BASE + "console..")
                .because("the console sits on top: it reads and acts through the services below, none of which knows it")
                .check(classes);
    }

    @Test
    void eventsKnowNoDomain() {
        noClasses().that().resideInAPackage(BASE + "events..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + "engine..", BASE + "registry..",
                        BASE + "serving..", BASE + "rollout..", BASE + "delivery..")
                .because("the registry and rollout describe their changes as events; the outbox only stores and "
                        + "delivers them")
                .check(classes);
    }

    @Test
    void sharedPackagesKnowNoDomain() {
        noClasses().that().resideInAnyPackage(BASE + "error..", BASE + "http..", BASE + "config..", BASE + "db..",
                        BASE + "datadir..", BASE + "security..", BASE + "apidoc..", BASE + "storage..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + "engine..", BASE + "registry..",
                        BASE + "serving..", BASE + "rollout..", BASE + "console..", BASE + "events..", BASE + "delivery..")
                .because("error maps domain failures through TurnoutException alone; config only holds settings")
                .check(classes);
    }

    @Test
    void noCyclesBetweenPackages() {
        slices().matching("dev.turnout.(*)..").should().beFreeOfCycles().check(classes);
    }
}
