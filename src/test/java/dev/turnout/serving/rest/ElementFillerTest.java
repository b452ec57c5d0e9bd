package dev.turnout.serving.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The streaming fast path reads decimals to exactly the double Double.parseDouble gives. */
class ElementFillerTest {

    static final JsonFactory JSON = new JsonFactory();

    @Test
    void decimalsReadAsDoubleParseDoubleReadsThem() throws Exception {
        Random random = new Random(16);
        List<String> numbers = new ArrayList<>(List.of("0.0", "-0.0", "0.1", "0.723", "1e5", "1E+05", "2.5e-3",
                "-1.0e-22", "9.999999999999999e22", "123456789012345.6", "1.7976931348623157e308", "4.9e-324",
                "1e400", "-1e-400", "0.30000000000000004", "3.4028235e38", "1.00000000000000000001", "5e-1"));
        for (int i = 0; i < 20000; i++) {
            StringBuilder number = new StringBuilder(random.nextBoolean() ? "-" : "");
            number.append(random.nextInt(1000)).append('.');
            int fraction = 1 + random.nextInt(18);
            for (int d = 0; d < fraction; d++) {
                number.append(random.nextInt(10));
            }
            if (random.nextInt(3) == 0) {
                number.append(random.nextBoolean() ? 'e' : 'E').append(random.nextBoolean() ? "-" : "")
                        .append(random.nextInt(30));
            }
            numbers.add(number.toString());
        }
        for (String number : numbers) {
            try (JsonParser parser = JSON.createParser(number)) {
                assertEquals(JsonToken.VALUE_NUMBER_FLOAT, parser.nextToken(), number);
                double expected = Double.parseDouble(number);
                double read = ElementFiller.decimal(parser);
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(read), number);
            }
        }
    }
}
