package org.wikifarm.provisioner.bench;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.wikifarm.provisioner.provision.phases.OAuthKeysPhase;

/**
 * {@code keygen.rsa2048}: the RSA-2048 generator phase 4 (oauth) uses, against the faster of BouncyCastle's and
 * the JDK's, measured by JMH in one forked JVM ({@link RsaKeygenBenchmark}; about 40 s). A library comparison,
 * so it runs once, for the current tree; which generator the phase uses is read off the key it makes.
 */
public class KeygenSection implements BenchSection {
  static final String WHAT = "RSA-2048 key generation (phase oauth)";

  @Override
  public String name() {
    return "keygen";
  }

  @Override
  public boolean perCodeVersion() {
    return false;
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    boolean quick = context.quick();
    Options options = new OptionsBuilder()
        .include(RsaKeygenBenchmark.class.getName() + "\\.")
        .forks(1)
        .warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.seconds(quick ? 1 : 3))
        .measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.seconds(quick ? 2 : 4))
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    double bc = score(results, "bouncyCastle");
    double jdk = score(results, "jdk");
    boolean phaseUsesBc = usesBouncyCastle();
    double used = phaseUsesBc ? bc : jdk;
    double fastest = Math.min(bc, jdk);
    String fastestName = bc <= jdk ? "BouncyCastle" : "the JDK's (SunRsaSign)";
    String against = "the fastest generator, " + fastestName + String.format(
        " (BouncyCastle %.1f ms, JDK %.1f ms per key; the phase uses %s)", bc, jdk,
        phaseUsesBc ? "BouncyCastle" : "the JDK's");
    return List.of(BenchRow.atMost("keygen.rsa2048", WHAT, used, "ms", against, fastest, 1.0));
  }

  private static double score(Collection<RunResult> results, String method) {
    return results.stream()
        .filter(r -> r.getParams().getBenchmark().endsWith("." + method))
        .mapToDouble(r -> r.getPrimaryResult().getScore())
        .findFirst().orElseThrow(() -> new IllegalStateException("JMH returned no result for " + method));
  }

  /** Which provider made the phase's key: BouncyCastle's key classes live in its own packages. */
  private static boolean usesBouncyCastle() throws Exception {
    return OAuthKeysPhase.generateRsa(RsaKeygenBenchmark.BITS, new SecureRandom()).getPrivate().getClass()
        .getName().startsWith("org.bouncycastle.");
  }
}
