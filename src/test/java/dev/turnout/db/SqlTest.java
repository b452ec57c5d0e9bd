package dev.turnout.db;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SqlTest {

    @Test
    void numberedParametersBindInTheOrderTheyAppearAndMayRecur() {
        List<Object> bound = new ArrayList<>();
        String jdbc = Sql.numberedToPlain("UPDATE t SET a = ?2, b = CASE WHEN ?3 THEN ?2 END WHERE id = ?1",
                new Object[] {7L, "x", true}, bound);
        assertEquals("UPDATE t SET a = ?, b = CASE WHEN ? THEN ? END WHERE id = ?", jdbc);
        assertEquals(List.of("x", true, "x", 7L), bound);
    }

    @Test
    void plainPlaceholdersTakeTheParametersInOrderAndQuotedTextIsLeftAlone() {
        List<Object> bound = new ArrayList<>();
        String jdbc = Sql.numberedToPlain("SELECT '?1' || ? FROM t WHERE a = ? AND b = 'it''s ?'",
                new Object[] {"p", "q"}, bound);
        assertEquals("SELECT '?1' || ? FROM t WHERE a = ? AND b = 'it''s ?'", jdbc);
        assertEquals(List.of("p", "q"), bound);
    }

    @Test
    void aMissingParameterIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Sql.numberedToPlain("SELECT ?2", new Object[] {1}, new ArrayList<>()));
    }
}
