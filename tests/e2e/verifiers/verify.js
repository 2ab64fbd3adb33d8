// Runs the Node.js example from webhooks-api.md ("Webhook Security") unchanged on a delivery the
// tests received. Usage: node verify.js PAYLOAD_FILE SIGNATURE SECRET
// Prints "valid" (exit 0) or "invalid" (exit 1).
const fs = require('fs');

// --- verbatim from webhooks-api.md ---
const crypto = require('crypto');

function verifyWebhook(payload, signature, secret) {
  const expectedSignature = crypto
    .createHmac('sha256', secret)
    .update(payload, 'utf8')
    .digest('hex');
  
  return `sha256=${expectedSignature}` === signature;
}
// --- end of the verbatim part ---

const [payloadFile, signature, secret] = process.argv.slice(2);
// The raw body as a string, as a receiver reading it with a text body parser gets it.
const payload = fs.readFileSync(payloadFile, 'utf8');
const isValid = verifyWebhook(payload, signature, secret);
console.log(isValid ? 'valid' : 'invalid');
process.exit(isValid ? 0 : 1);
