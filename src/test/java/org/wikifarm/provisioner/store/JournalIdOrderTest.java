package org.wikifarm.provisioner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Journal ids ("ms-seq") order as the pair of numbers they spell, whatever their length or leading zeros: the
 * order every SSE client uses to skip what it was already sent, checked against BigInteger arithmetic.
 */
class JournalIdOrderTest {
  @Test
  void idsOrderAsTheirNumbersDo() {
    Random random = new Random(15);
    for (int i = 0; i < 20_000; i++) {
      String[] a = {digits(random), digits(random)};
      String[] b = {random.nextInt(4) == 0 ? a[0] : digits(random), digits(random)};
      int expected = Integer.signum(new BigInteger(a[0]).compareTo(new BigInteger(b[0])));
      if (expected == 0) {
        expected = Integer.signum(new BigInteger(a[1]).compareTo(new BigInteger(b[1])));
      }
      String idA = a[0] + "-" + a[1];
      String idB = b[0] + "-" + b[1];
      assertEquals(expected, Integer.signum(EventJournal.compare(idA, idB)), idA + " vs " + idB);
      assertEquals(-expected, Integer.signum(EventJournal.compare(idB, idA)), idB + " vs " + idA);
    }
  }

  @Test
  void leadingZerosAndNullAreHandled() {
    assertEquals(0, EventJournal.compare("0001-0", "1-000"));
    assertTrue(EventJournal.compare("99999999999999999999-0", "100000000000000000000-0") < 0);
    assertTrue(EventJournal.compare("1700000000000-10", "1700000000000-9") > 0);
    assertTrue(EventJournal.compare(null, "0-0") < 0);
    assertEquals(0, EventJournal.compare(null, null));
    assertTrue(EventJournal.isId("1700000000000-0"));
    assertFalse(EventJournal.isId("1700000000000-0\n"));
    assertFalse(EventJournal.isId("abc-1"));
  }

  /** 1 to 21 digits, sometimes with leading zeros, sometimes all zeros. */
  private static String digits(Random random) {
    StringBuilder s = new StringBuilder();
    int zeros = random.nextInt(3) == 0 ? random.nextInt(4) : 0;
    s.append("0".repeat(zeros));
    int length = 1 + random.nextInt(random.nextBoolean() ? 3 : 21);
    for (int i = 0; i < length; i++) {
      s.append((char) ('0' + random.nextInt(10)));
    }
    return s.toString();
  }
}
