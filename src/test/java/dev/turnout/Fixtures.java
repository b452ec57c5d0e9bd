package dev.turnout;

import java.io.File;
import java.net.URISyntaxException;
import java.util.UUID;

/** The committed test models (made by scripts/make-fixtures.py) and unique names so test classes never collide. */
public final class Fixtures {

    public static final String LINEAR_SIGNATURE = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,1]}],"
            + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,1]}]}";
    public static final String MLP_SIGNATURE = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],"
            + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]}";

    private Fixtures() {
    }

    public static File model(String fileName) {
        try {
            return new File(Fixtures.class.getResource("/models/" + fileName).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
