package dev.edgechat.llm;

/** An earlier message of the conversation: {@code role} is {@code user} or {@code assistant}. */
public record Turn(String role, String text) {
}
