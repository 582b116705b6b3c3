package org.wikifarm.provisioner.cli; public class Main { public static void main(String[] a){} }
