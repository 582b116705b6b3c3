package org.wikifarm.provisioner.bench;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * RSA-2048 key pair generation, BouncyCastle's generator vs the JDK's ({@code SunRsaSign}), both with e = 65537
 * and one SecureRandom, as phase 4 (oauth) makes a wiki's key. Run by {@link KeygenSection}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RsaKeygenBenchmark {
  static final int BITS = 2048;
  private final SecureRandom random = new SecureRandom();
  private final BouncyCastleProvider bouncyCastle = new BouncyCastleProvider();

  @Benchmark
  public KeyPair bouncyCastle() throws Exception {
    return generate(KeyPairGenerator.getInstance("RSA", bouncyCastle));
  }

  @Benchmark
  public KeyPair jdk() throws Exception {
    return generate(KeyPairGenerator.getInstance("RSA", "SunRsaSign"));
  }

  private KeyPair generate(KeyPairGenerator generator) throws Exception {
    generator.initialize(new RSAKeyGenParameterSpec(BITS, RSAKeyGenParameterSpec.F4), random);
    return generator.generateKeyPair();
  }
}
