package gate

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretReader is the part of the Secrets Manager client the gate uses.
type SecretReader interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Credentials are the Logiwa login, stored as the secret's JSON value
// {"email": "...", "password": "..."}.
type Credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// LoadCredentials reads the Logiwa login from Secrets Manager. The error
// never includes the secret's value.
func LoadCredentials(ctx context.Context, sm SecretReader, secretID string) (Credentials, error) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID)})
	if err != nil {
		return Credentials{}, fmt.Errorf("read Logiwa credentials from %s: %w", secretID, err)
	}
	var c Credentials
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &c); err != nil || c.Email == "" || c.Password == "" {
		return Credentials{}, fmt.Errorf("secret %s must hold {\"email\": ..., \"password\": ...}", secretID)
	}
	return c, nil
}
