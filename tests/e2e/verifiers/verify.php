<?php
// Runs the PHP example from webhooks-api.md ("Webhook Security", PHP Example) unchanged on a
// delivery the tests received. Usage: php verify.php PAYLOAD_FILE SIGNATURE SECRET
// Prints "valid" (exit 0) or "invalid" (exit 1).

// --- verbatim from webhooks-api.md ---
function verifyWebhook($payload, $signature, $secret) {
    $expectedSignature = 'sha256=' . hash_hmac('sha256', $payload, $secret);
    return hash_equals($expectedSignature, $signature);
}
// --- end of the verbatim part ---

[, $payloadFile, $signature, $secret] = $argv;
$payload = file_get_contents($payloadFile);  // the raw bytes, as php://input gives them
$isValid = verifyWebhook($payload, $signature, $secret);
echo $isValid ? "valid\n" : "invalid\n";
exit($isValid ? 0 : 1);
