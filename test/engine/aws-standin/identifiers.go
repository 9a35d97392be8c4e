package main

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"time"
)

// uniqueIDAlphabet is the alphabet of IAM unique ids and access key ids (upper-case letters and
// the digits 2-7, base32 without padding).
const uniqueIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// randomString draws n characters of alphabet from crypto/rand.
func randomString(alphabet string, n int) string {
	out := make([]byte, n)
	limit := big.NewInt(int64(len(alphabet)))
	for i := range out {
		k, err := rand.Int(rand.Reader, limit)
		if err != nil {
			panic(err) // crypto/rand does not fail on Linux
		}
		out[i] = alphabet[k.Int64()]
	}
	return string(out)
}

// iamUniqueID is an IAM unique id: a four-letter prefix naming the kind (AROA role, AIDA user,
// ANPA managed policy) and 17 characters.
func iamUniqueID(prefix string) string {
	return prefix + randomString(uniqueIDAlphabet, 17)
}

// accessKeyID is an access key id: AKIA and 16 characters.
func accessKeyID() string {
	return "AKIA" + randomString(uniqueIDAlphabet, 16)
}

// base64Alphabet is the alphabet of secret access keys and SES SMTP passwords.
const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// secretAccessKey is a secret access key: 40 characters.
func secretAccessKey() string {
	return randomString(base64Alphabet, 40)
}

// kmsKeyID is a KMS key id: a random (version 4) UUID.
func kmsKeyID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// attachmentID is how the Terraform AWS provider names a policy attachment: a prefix and a
// timestamp-based unique suffix.
func attachmentID(prefix string) string {
	return prefix + "-" + time.Now().UTC().Format("20060102150405") + randomString("0123456789", 12)
}

// timestamp is a creation date as IAM returns it.
func timestamp() string {
	return time.Now().UTC().Format(time.RFC3339)
}
