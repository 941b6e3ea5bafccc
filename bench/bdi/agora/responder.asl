// Answers askOne from its beliefs; the engine replies by itself.
value(42).
